"""From a scored rollout to per-token advantages and returns.

Every response token is one action. Its reward is a KL penalty that keeps the policy near the
reference, plus, on the last response token only, the reward model's score for the whole text:

    r_t = -kl_coef * (log pi(a_t) - log pi_ref(a_t))   (+ score on the last valid token)

Generalised advantage estimation (Schulman et al., 2015) then spreads rewards back over the tokens:

    delta_t = r_t + gamma * V_{t+1} - V_t          (V after the last token is 0: the episode ends)
    A_t     = delta_t + gamma * lambda * A_{t+1}
    R_t     = A_t + V_t                             (the value target)

All tensors are [N, T] with a mask that is 1 on a prefix of each row (the valid response tokens).
"""

from __future__ import annotations

import torch


def masked_mean(values: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean over the positions where `mask` is 1."""
    return (values * mask).sum() / mask.sum().clamp(min=1)


def masked_whiten(values: torch.Tensor, mask: torch.Tensor, eps: float = 1e-8) -> torch.Tensor:
    """Shift to mean 0 and scale to variance 1 over the valid positions; invalid ones become 0.

    Whitening advantages keeps the policy step size independent of the reward scale.
    """
    mean = masked_mean(values, mask)
    count = mask.sum()
    variance = masked_mean((values - mean) ** 2, mask)
    if count > 1:
        variance = variance * count / (count - 1)  # unbiased estimate
    return (values - mean) * torch.rsqrt(variance + eps) * mask


def token_rewards(
    logprobs: torch.Tensor,
    ref_logprobs: torch.Tensor,
    scores: torch.Tensor,
    mask: torch.Tensor,
    kl_coef: float,
) -> tuple[torch.Tensor, torch.Tensor]:
    """(per-token rewards [N, T], per-token KL estimate [N, T]).

    log pi - log pi_ref of the sampled token is an unbiased sample of KL(pi || pi_ref), so the
    penalty summed over a response estimates the response's KL to the reference.
    """
    kl = (logprobs - ref_logprobs) * mask
    rewards = -kl_coef * kl
    last = (mask.sum(dim=1) - 1).clamp(min=0).long()  # index of each row's last valid token
    rows = torch.arange(rewards.shape[0], device=rewards.device)
    rewards[rows, last] += scores.to(rewards.dtype)
    return rewards, kl


def gae(
    rewards: torch.Tensor, values: torch.Tensor, mask: torch.Tensor, gamma: float, lam: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """(advantages, returns), both [N, T] and 0 on invalid positions, computed backwards in time.

    Masked positions carry no reward and no value, so the step after a row's last valid token sees
    V = 0 and A = 0: the episode ends there.
    """
    rewards, values = rewards * mask, values * mask
    advantages = torch.zeros_like(rewards)
    next_value = torch.zeros_like(rewards[:, 0])
    next_advantage = torch.zeros_like(rewards[:, 0])
    for t in reversed(range(rewards.shape[1])):
        delta = rewards[:, t] + gamma * next_value - values[:, t]
        next_advantage = delta + gamma * lam * next_advantage
        advantages[:, t] = next_advantage
        next_value = values[:, t]
    advantages = advantages * mask
    return advantages, (advantages + values) * mask
