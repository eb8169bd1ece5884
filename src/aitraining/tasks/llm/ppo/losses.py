"""The clipped PPO objectives (Schulman et al., 2017), averaged over valid response tokens.

Policy: with ratio rho = pi_new(a) / pi_old(a) and advantage A, PPO maximises
min(rho * A, clip(rho, 1 - eps, 1 + eps) * A). Once an update has moved rho past the clip range
in the direction A favours, the clipped term is the smaller one and is constant in the weights, so
that token stops pushing: each rollout can be reused for several epochs without running away.

Value: the new value may move at most `value_clip` from the value at rollout time; the loss takes
the worse of the clipped and unclipped squared errors, 0.5 * max((V - R)^2, (V_clip - R)^2).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from aitraining.tasks.llm.ppo.advantages import masked_mean


@dataclass
class PolicyLoss:
    loss: torch.Tensor
    clip_fraction: float  # share of tokens whose clipped term was the one used
    approx_kl: float  # estimate of KL(pi_old || pi_new): how far this update moved the policy


@dataclass
class ValueLoss:
    loss: torch.Tensor
    clip_fraction: float


def policy_loss(
    logprobs: torch.Tensor,
    old_logprobs: torch.Tensor,
    advantages: torch.Tensor,
    mask: torch.Tensor,
    clip_range: float,
) -> PolicyLoss:
    """Negative clipped surrogate objective (a loss to minimise)."""
    log_ratio = (logprobs - old_logprobs) * mask
    ratio = torch.exp(log_ratio)
    unclipped = -advantages * ratio
    clipped = -advantages * torch.clamp(ratio, 1 - clip_range, 1 + clip_range)
    loss = masked_mean(torch.maximum(unclipped, clipped), mask)
    with torch.no_grad():
        clip_fraction = masked_mean((clipped > unclipped).float(), mask)
        # (rho - 1) - log rho is >= 0 and an unbiased estimator of KL(old || new) (Schulman's k3).
        approx_kl = masked_mean((ratio - 1) - log_ratio, mask)
    return PolicyLoss(loss, float(clip_fraction), float(approx_kl))


def value_loss(
    values: torch.Tensor,
    old_values: torch.Tensor,
    returns: torch.Tensor,
    mask: torch.Tensor,
    value_clip: float,
) -> ValueLoss:
    """Clipped value regression towards the GAE returns."""
    clipped_values = old_values + torch.clamp(values - old_values, -value_clip, value_clip)
    unclipped_error = (values - returns) ** 2
    clipped_error = (clipped_values - returns) ** 2
    loss = 0.5 * masked_mean(torch.maximum(unclipped_error, clipped_error), mask)
    with torch.no_grad():
        clip_fraction = masked_mean((clipped_error > unclipped_error).float(), mask)
    return ValueLoss(loss, float(clip_fraction))


def entropy(logits: torch.Tensor, mask: torch.Tensor, temperature: float = 1.0) -> float:
    """Mean entropy of the sampling distribution over valid tokens (a diagnostic, not a loss term)."""
    with torch.no_grad():
        logp = torch.log_softmax(logits.float() / temperature, dim=-1)
        return float(masked_mean(-(logp.exp() * logp).sum(dim=-1), mask))
