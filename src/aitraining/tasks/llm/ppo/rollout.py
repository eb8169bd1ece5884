"""Rollouts: sample a response for each prompt, then score every response token with the policy,
the frozen reference policy and the value head.

Shapes: N prompts, P prompt positions (left-padded), R response positions (right-padded), V vocab.
The response token j sits at sequence position P + j, and causal LMs predict position t + 1 from
the logits at position t, so the logits of response token j are read at position P + j - 1.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

import torch

from aitraining.engine.tokens import left_pad

if TYPE_CHECKING:
    from aitraining.tasks.llm.params import LLMParams


@dataclass
class SamplingSettings:
    """How responses are sampled.

    The PPO log-probs use the same temperature. Top-k / top-p only decide which tokens can be
    sampled; the log-probs (so the PPO ratio and the KL) use the full softmax(logits / T), as usual
    in RLHF recipes. Leave them off (the defaults) for exactly on-policy ratios.
    """

    max_new_tokens: int
    temperature: float
    top_k: int
    top_p: float
    stop_token_ids: list[int]
    pad_token_id: int

    @classmethod
    def from_params(cls, params: LLMParams, tokenizer: Any, model: Any) -> SamplingSettings:
        return cls(
            max_new_tokens=params.rl_max_new_tokens,
            temperature=params.rl_temperature,
            top_k=params.rl_top_k,
            top_p=params.rl_top_p,
            stop_token_ids=stop_token_ids(tokenizer, model),
            pad_token_id=tokenizer.pad_token_id,
        )


@dataclass
class Rollout:
    """One chunk of experience. Every tensor has one row per prompt."""

    query_ids: torch.Tensor  # [N, P] prompt ids, left-padded
    query_mask: torch.Tensor  # [N, P] 1 on prompt tokens
    response_ids: torch.Tensor  # [N, R] sampled ids, right-padded
    response_mask: torch.Tensor  # [N, R] 1 up to and including the first stop token
    logprobs: torch.Tensor  # [N, R] log pi_old(token) at sampling time
    ref_logprobs: torch.Tensor  # [N, R] log pi_ref(token)
    values: torch.Tensor  # [N, R] V(state before the token)
    cut: torch.Tensor | None = None  # [N] True where the response hit --rl-max-new-tokens before a stop token

    def rows(self, index: torch.Tensor) -> Rollout:
        return Rollout(**{f.name: _rows_of(getattr(self, f.name), index) for f in fields(self)})


def _rows_of(value: torch.Tensor | None, index: torch.Tensor) -> torch.Tensor | None:
    return None if value is None else value[index]


def stop_token_ids(tokenizer: Any, model: Any) -> list[int]:
    """Where a response ends: the tokenizer's EOS, the model's (generation) config EOS ids (Llama 3 has two)
    and the end-of-turn token the chat template writes after a reply, as in sft and reward training."""
    from aitraining.data.chat_templates import stop_token_ids as model_stop_ids
    from aitraining.data.chat_templates import turn_end_id

    ids: set[int | None] = set(model_stop_ids(tokenizer, getattr(model, "config", None)))
    configured = getattr(getattr(model, "generation_config", None), "eos_token_id", None)
    ids.update(configured if isinstance(configured, list) else [configured])
    ids.add(turn_end_id(tokenizer))
    return sorted(i for i in ids if i is not None)


def response_mask(response_ids: torch.Tensor, stop_ids: list[int]) -> torch.Tensor:
    """1 on response tokens up to and including the first stop token, 0 after it.

    `cumsum(is_stop) - is_stop` counts the stop tokens strictly before each position, so it is
    positive exactly on the positions that follow the first stop token.
    """
    stops = torch.tensor(stop_ids, dtype=response_ids.dtype, device=response_ids.device)
    is_stop = torch.isin(response_ids, stops).long()
    stops_before = is_stop.cumsum(dim=1) - is_stop
    return (stops_before == 0).long()


def stopped(response_ids: torch.Tensor, stop_ids: list[int]) -> torch.Tensor:
    """[N] True where the response holds a stop token (it ended on its own, not at the token limit)."""
    stops = torch.tensor(stop_ids, dtype=response_ids.dtype, device=response_ids.device)
    return torch.isin(response_ids, stops).any(dim=1)


def positions(attention_mask: torch.Tensor) -> torch.Tensor:
    """Position ids that start at 0 on the first real token (left padding), as `generate` computes them."""
    return (attention_mask.long().cumsum(dim=1) - 1).clamp(min=0)


def model_inputs(query_ids: torch.Tensor, query_mask: torch.Tensor, response_ids: torch.Tensor) -> dict:
    """Forward inputs for prompt + response. Response positions are all attended: tokens after the
    stop token only follow the valid ones, so causal attention keeps them out of every valid score."""
    attention_mask = torch.cat([query_mask, torch.ones_like(response_ids)], dim=1)
    return {
        "input_ids": torch.cat([query_ids, response_ids], dim=1),
        "attention_mask": attention_mask,
        "position_ids": positions(attention_mask),
    }


def token_logprobs(logits: torch.Tensor, tokens: torch.Tensor, temperature: float) -> torch.Tensor:
    """log softmax(logits / T) at the chosen tokens: the log-probability of sampling each token."""
    logp = torch.log_softmax(logits.float() / temperature, dim=-1)
    return logp.gather(-1, tokens.unsqueeze(-1)).squeeze(-1)


@contextmanager
def _plain_generation_config(policy: Any, settings: SamplingSettings) -> Iterator[Any]:
    """Sample from exactly softmax(logits / T) cut by top-k / top-p, nothing else.

    `generate` fills unset options from the model's own generation config (a repetition penalty, a
    minimum length, suppressed tokens ...), which would make rollouts come from a distribution the
    PPO log-probs do not describe. The model's config is swapped for a plain one while sampling.
    """
    from transformers import GenerationConfig

    base = policy.get_base_model() if hasattr(policy, "get_base_model") else policy
    saved = base.generation_config
    stop_ids = settings.stop_token_ids or None  # no stop token at all: every response runs to the limit
    base.generation_config = GenerationConfig(eos_token_id=stop_ids, pad_token_id=settings.pad_token_id)
    try:
        yield GenerationConfig(
            do_sample=True,
            max_new_tokens=settings.max_new_tokens,
            temperature=settings.temperature,
            top_k=settings.top_k,
            top_p=settings.top_p,
            eos_token_id=stop_ids,
            pad_token_id=settings.pad_token_id,
        )
    finally:
        base.generation_config = saved


@torch.no_grad()
def sample_responses(
    policy: Any, query_ids: torch.Tensor, query_mask: torch.Tensor, settings: SamplingSettings
) -> torch.Tensor:
    """[B, max_new_tokens] sampled ids; a row that stopped early is filled with the pad id."""
    with _plain_generation_config(policy, settings) as config:
        out = policy.generate(input_ids=query_ids, attention_mask=query_mask, generation_config=config)
    responses = out[:, query_ids.shape[1] :]
    missing = settings.max_new_tokens - responses.shape[1]
    return torch.nn.functional.pad(responses, (0, missing), value=settings.pad_token_id)


@torch.no_grad()
def collect_rollout(
    policy_with_value: Any,
    reference: Callable[..., torch.Tensor],
    queries: list[list[int]],
    settings: SamplingSettings,
    batch_size: int,
) -> Rollout:
    """Sample responses for `queries` and score them, `batch_size` rows per forward pass."""
    query_ids, query_mask = left_pad(queries, settings.pad_token_id, policy_with_value.device)
    pieces = list(zip(query_ids.split(batch_size), query_mask.split(batch_size), strict=True))
    response_ids = torch.cat([sample_responses(policy_with_value.policy, *piece, settings) for piece in pieces])
    mask = response_mask(response_ids, settings.stop_token_ids)
    cut = ~stopped(response_ids, settings.stop_token_ids)
    width = int(mask.sum(dim=1).max())  # drop the trailing columns that no row uses
    response_ids, mask = response_ids[:, :width], mask[:, :width]
    scored = [
        score_tokens(policy_with_value, reference, *piece, responses, settings.temperature)
        for piece, responses in zip(pieces, response_ids.split(batch_size), strict=True)
    ]
    logprobs, ref_logprobs, values = (torch.cat(parts) for parts in zip(*scored, strict=True))
    return Rollout(query_ids, query_mask, response_ids, mask, logprobs, ref_logprobs, values, cut)


def score_tokens(
    policy_with_value: Any,
    reference: Callable[..., torch.Tensor],
    query_ids: torch.Tensor,
    query_mask: torch.Tensor,
    response_ids: torch.Tensor,
    temperature: float,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Per response token: policy log-prob, reference log-prob and value, each [B, R]."""
    inputs = model_inputs(query_ids, query_mask, response_ids)
    logits, values = policy_with_value(**inputs, response_length=response_ids.shape[1])
    ref_logits = reference(**inputs, response_length=response_ids.shape[1])
    return (
        token_logprobs(logits, response_ids, temperature),
        token_logprobs(ref_logits, response_ids, temperature),
        values,
    )
