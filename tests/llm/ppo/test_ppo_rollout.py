"""Rollouts: the response mask ends after the first EOS, sampling ignores the model's own generation
settings, and the scored log-probs are those of the distribution the tokens were sampled from."""

from __future__ import annotations

import pytest
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

from aitraining.engine.tokens import left_pad
from aitraining.tasks.llm.ppo.rollout import (
    SamplingSettings,
    model_inputs,
    response_mask,
    sample_responses,
    token_logprobs,
)
from aitraining.tasks.llm.ppo.value_head import PolicyWithValueHead, response_forward

EOS, PAD = 3, 0


def test_response_mask_keeps_the_first_eos_and_drops_what_follows():
    ids = torch.tensor(
        [
            [5, 6, EOS, 7, EOS],  # stops at column 2; later tokens (even another EOS) are outside
            [EOS, PAD, PAD, PAD, PAD],  # an immediate EOS is still one valid token
            [5, 6, 7, 8, 9],  # never stopped: all valid
            [5, EOS, EOS, EOS, EOS],  # pad == eos: the padding looks like more EOS tokens
        ]
    )
    expected = [[1, 1, 1, 0, 0], [1, 0, 0, 0, 0], [1, 1, 1, 1, 1], [1, 1, 0, 0, 0]]
    assert response_mask(ids, [EOS]).tolist() == expected


def test_response_mask_with_several_stop_tokens():
    ids = torch.tensor([[5, 9, 6, EOS], [5, 6, EOS, 9]])
    assert response_mask(ids, [EOS, 9]).tolist() == [[1, 1, 0, 0], [1, 1, 1, 0]]


def test_left_pad():
    ids, mask = left_pad([[1, 2, 3], [4]], PAD)
    assert ids.tolist() == [[1, 2, 3], [PAD, PAD, 4]]
    assert mask.tolist() == [[1, 1, 1], [0, 0, 1]]


@pytest.fixture(scope="module")
def policy(tiny_lm):
    return AutoModelForCausalLM.from_pretrained(tiny_lm).eval(), AutoTokenizer.from_pretrained(tiny_lm)


def _settings(tokenizer, **overrides) -> SamplingSettings:
    values = {
        "max_new_tokens": 8,
        "temperature": 1.0,
        "top_k": 0,
        "top_p": 1.0,
        "stop_token_ids": [tokenizer.eos_token_id],
        "pad_token_id": tokenizer.pad_token_id,
    }
    return SamplingSettings(**{**values, **overrides})


def test_scored_logits_match_the_logits_generation_sampled_from(policy):
    """Left padding and position ids must agree between `generate` and our forward pass."""
    model, tokenizer = policy
    ids, mask = left_pad([tokenizer("one two three four")["input_ids"], tokenizer("red")["input_ids"]], PAD)
    out = model.generate(
        input_ids=ids,
        attention_mask=mask,
        max_new_tokens=5,
        do_sample=False,
        output_logits=True,
        return_dict_in_generate=True,
        pad_token_id=PAD,
        eos_token_id=None,
    )
    responses = out.sequences[:, ids.shape[1] :]
    ours = response_forward(model, responses.shape[1], **model_inputs(ids, mask, responses))
    assert torch.allclose(ours, torch.stack(out.logits, dim=1), atol=1e-4)


def test_sampling_ignores_the_models_generation_config_and_restores_it(policy):
    model, tokenizer = policy
    saved = model.generation_config
    saved.min_new_tokens = 8  # would forbid EOS: a distribution PPO's log-probs do not describe
    saved.suppress_tokens = list(range(5, 600))  # would leave only special tokens
    ids, mask = left_pad([tokenizer("one two")["input_ids"]] * 16, PAD)
    torch.manual_seed(0)
    responses = sample_responses(model, ids, mask, _settings(tokenizer))
    assert model.generation_config is saved
    assert responses.shape == (16, 8)
    assert (responses >= 5).any()  # ordinary tokens were sampled: suppress_tokens was not applied
    saved.min_new_tokens, saved.suppress_tokens = None, None


def test_sampling_stops_at_eos_and_pads_after(policy):
    model, tokenizer = policy
    ids, mask = left_pad([tokenizer("one two")["input_ids"]] * 4, PAD)

    def favour_eos(module, inputs, logits):  # EOS becomes (almost) certain at every step
        return logits + 100.0 * torch.nn.functional.one_hot(torch.tensor(EOS), logits.shape[-1])

    hook = model.get_output_embeddings().register_forward_hook(favour_eos)
    try:
        responses = sample_responses(model, ids, mask, _settings(tokenizer))
    finally:
        hook.remove()
    assert responses[:, 0].tolist() == [tokenizer.eos_token_id] * 4
    assert responses[:, 1:].eq(PAD).all()
    assert response_mask(responses, [tokenizer.eos_token_id]).sum(dim=1).tolist() == [1, 1, 1, 1]


def test_top_k_one_is_greedy(policy):
    model, tokenizer = policy
    ids, mask = left_pad([tokenizer("one two")["input_ids"], tokenizer("the cat")["input_ids"]], PAD)
    greedy = model.generate(
        input_ids=ids, attention_mask=mask, max_new_tokens=6, do_sample=False, pad_token_id=PAD, eos_token_id=EOS
    )[:, ids.shape[1] :]
    sampled = sample_responses(model, ids, mask, _settings(tokenizer, max_new_tokens=6, top_k=1))
    assert torch.equal(sampled[:, : greedy.shape[1]], greedy)


def test_value_head_gives_one_value_per_response_token(policy):
    model, tokenizer = policy
    wrapped = PolicyWithValueHead(model)
    ids, mask = left_pad([tokenizer("one two")["input_ids"], tokenizer("red")["input_ids"]], PAD)
    responses = torch.tensor([[5, 6, 7], [8, EOS, PAD]])
    logits, values = wrapped(**model_inputs(ids, mask, responses), response_length=3)
    assert logits.shape == (2, 3, model.config.vocab_size)
    assert values.shape == (2, 3)
    logprobs = token_logprobs(logits, responses, temperature=0.7)
    assert logprobs.shape == (2, 3) and (logprobs < 0).all()


def test_response_mask_without_stop_tokens_keeps_everything():
    assert response_mask(torch.tensor([[5, EOS, 6]]), []).tolist() == [[1, 1, 1]]
