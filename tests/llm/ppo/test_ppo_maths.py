"""The PPO maths against hand-computed numbers: KL-penalised rewards, GAE, whitening, clipped losses."""

from __future__ import annotations

import pytest
import torch

from aitraining.tasks.llm.ppo.advantages import gae, masked_mean, masked_whiten, token_rewards
from aitraining.tasks.llm.ppo.losses import entropy, policy_loss, value_loss


def test_token_rewards_put_the_score_on_the_last_valid_token():
    logprobs = torch.tensor([[-1.0, -2.0, -1.5], [-0.5, -1.0, -3.0]])
    ref = torch.tensor([[-1.5, -2.0, -1.0], [-1.0, -1.0, -0.1]])
    mask = torch.tensor([[1, 1, 1], [1, 1, 0]])
    rewards, kl = token_rewards(logprobs, ref, torch.tensor([2.0, -1.0]), mask, kl_coef=0.1)
    assert torch.allclose(kl, torch.tensor([[0.5, 0.0, -0.5], [0.5, 0.0, 0.0]]))
    # -0.1 * kl everywhere, plus the score on row 0 token 2 and row 1 token 1 (its last valid one).
    assert torch.allclose(rewards, torch.tensor([[-0.05, 0.0, 2.05], [-0.05, -1.0, 0.0]]))


def test_gae_matches_a_hand_computed_example():
    gamma, lam = 0.9, 0.8
    rewards = torch.tensor([[0.1, 0.0, 1.0], [0.2, 0.5, 7.0]])
    values = torch.tensor([[0.5, 0.4, 0.3], [0.1, 0.2, 9.0]])
    mask = torch.tensor([[1, 1, 1], [1, 1, 0]])  # row 1 ends after two tokens: its third column is padding
    advantages, returns = gae(rewards, values, mask, gamma, lam)
    # Row 0: delta_2 = 1.0 - 0.3 = 0.7 (no next state), delta_1 = 0 + 0.9*0.3 - 0.4 = -0.13,
    # delta_0 = 0.1 + 0.9*0.4 - 0.5 = -0.04; A_2 = 0.7, A_1 = -0.13 + 0.72*0.7 = 0.374,
    # A_0 = -0.04 + 0.72*0.374 = 0.22928.
    # Row 1: the padded step is ignored, so delta_1 = 0.5 - 0.2 = 0.3 and A_1 = 0.3;
    # delta_0 = 0.2 + 0.9*0.2 - 0.1 = 0.28, A_0 = 0.28 + 0.72*0.3 = 0.496.
    expected = torch.tensor([[0.22928, 0.374, 0.7], [0.496, 0.3, 0.0]])
    assert torch.allclose(advantages, expected, atol=1e-6)
    assert torch.allclose(returns, (expected + values) * mask, atol=1e-6)


def test_gae_with_gamma_and_lambda_one_is_reward_to_go_minus_value():
    rewards = torch.tensor([[1.0, 2.0, 3.0]])
    values = torch.tensor([[0.5, 0.5, 0.5]])
    advantages, returns = gae(rewards, values, torch.ones(1, 3), 1.0, 1.0)
    assert torch.allclose(returns, torch.tensor([[6.0, 5.0, 3.0]]))
    assert torch.allclose(advantages, torch.tensor([[5.5, 4.5, 2.5]]))


def test_whitening_uses_valid_tokens_only():
    values = torch.tensor([[1.0, 2.0, 100.0], [3.0, 4.0, -50.0]])
    mask = torch.tensor([[1, 1, 0], [1, 1, 0]])
    white = masked_whiten(values, mask)
    assert white[:, 2].abs().max() == 0
    assert abs(float(masked_mean(white, mask))) < 1e-6
    valid = white[mask.bool()]
    assert torch.allclose(valid.std(), torch.tensor(1.0), atol=1e-4)


def _policy_case(ratio: float, advantage: float, clip: float = 0.2):
    old = torch.zeros(1, 1)
    new = torch.full((1, 1), float(torch.log(torch.tensor(ratio))), requires_grad=True)
    out = policy_loss(new, old, torch.full((1, 1), advantage), torch.ones(1, 1), clip)
    out.loss.backward()
    return out, float(new.grad)


@pytest.mark.parametrize(
    ("ratio", "advantage", "clipped"),
    [(1.5, 1.0, True), (0.5, -1.0, True), (1.5, -1.0, False), (0.5, 1.0, False), (1.1, 1.0, False)],
)
def test_policy_loss_stops_the_gradient_outside_the_clip_region(ratio, advantage, clipped):
    out, grad = _policy_case(ratio, advantage)
    assert out.clip_fraction == (1.0 if clipped else 0.0)
    if clipped:  # moved far enough in the direction the advantage favours: no more push
        assert grad == 0.0
        assert out.loss.item() == pytest.approx(-advantage * (1.2 if ratio > 1 else 0.8))
    else:  # d(-A * rho)/d log pi = -A * rho
        assert grad == pytest.approx(-advantage * ratio)


def test_policy_loss_statistics_over_valid_tokens():
    old = torch.zeros(1, 4)
    new = torch.log(torch.tensor([[1.5, 1.0, 0.5, 3.0]]))
    out = policy_loss(new, old, torch.ones(1, 4), torch.tensor([[1, 1, 1, 0]]), 0.2)
    assert out.clip_fraction == pytest.approx(1 / 3)  # only the 1.5 ratio; the 3.0 one is padding
    expected_kl = sum(r - 1 - float(torch.log(torch.tensor(r))) for r in (1.5, 1.0, 0.5)) / 3
    assert out.approx_kl == pytest.approx(expected_kl, rel=1e-5)
    assert out.loss.item() == pytest.approx(-(1.2 + 1.0 + 0.5) / 3)


def test_value_loss_is_clipped_around_the_rollout_value():
    old = torch.tensor([[0.0, 0.0]])
    new = torch.tensor([[1.0, 0.1]], requires_grad=True)
    returns = torch.tensor([[2.0, 0.0]])
    out = value_loss(new, old, returns, torch.ones(1, 2), value_clip=0.2)
    # Token 0: unclipped (1-2)^2 = 1, clipped (0.2-2)^2 = 3.24 -> 3.24 (constant in V: no gradient).
    # Token 1: unclipped 0.01, clipped 0.01 -> 0.01. Loss = 0.5 * mean = 0.5 * 3.25 / 2.
    assert out.loss.item() == pytest.approx(0.8125)
    assert out.clip_fraction == 0.5
    out.loss.backward()
    assert new.grad[0, 0] == 0
    assert float(new.grad[0, 1]) == pytest.approx(0.5 * 2 * 0.1 / 2)


def test_entropy_of_a_uniform_distribution():
    logits = torch.zeros(1, 2, 8)
    assert entropy(logits, torch.ones(1, 2)) == pytest.approx(float(torch.log(torch.tensor(8.0))))
