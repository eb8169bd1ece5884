"""PPO uses the chat-template handling of sft and reward (issue 9, item 3): named templates bind the model's
real end-of-turn token, rollouts stop on end-of-turn ids as well as EOS, the turn-end check runs, the
reward re-tokenizer keeps EOS when pad == EOS, and responses cut at --rl-max-new-tokens are counted."""

from __future__ import annotations

import json
import logging
import shutil
from types import SimpleNamespace

import torch
from datasets import Dataset
from ppo_helpers import ppo_params
from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

from aitraining.data.chat_templates import TEMPLATES, template_text
from aitraining.data.loading import LoadedData
from aitraining.engine.tokens import left_pad
from aitraining.tasks.llm.ppo.reward import RewardScorer
from aitraining.tasks.llm.ppo.rollout import SamplingSettings, collect_rollout, stop_token_ids
from aitraining.tasks.llm.ppo.trainer import cut_summary
from aitraining.tasks.llm.ppo.value_head import PolicyWithValueHead, ReferencePolicy
from aitraining.tasks.llm.trainers import ppo

LOG = logging.getLogger("ppo-templates")


def prompts_data(*texts: str) -> LoadedData:
    return LoadedData(Dataset.from_dict({"text": list(texts)}), None, "test prompts")


def test_a_named_template_binds_the_models_end_of_turn_token_in_ppo(tiny_lm, tmp_path, caplog):
    """A Llama-3-like model: <|eot_id|> is in its vocabulary and its generation config stops on it."""
    folder = shutil.copytree(tiny_lm, tmp_path / "llama3-like")
    tokenizer = AutoTokenizer.from_pretrained(folder)
    tokenizer.add_special_tokens({"additional_special_tokens": ["<|eot_id|>"]})
    tokenizer.save_pretrained(folder)
    eot = tokenizer.convert_tokens_to_ids("<|eot_id|>")
    generation = json.loads((folder / "generation_config.json").read_text())
    (folder / "generation_config.json").write_text(json.dumps({**generation, "eos_token_id": [2, eot]}))
    params = ppo_params(folder, "unused-reward", chat_template="llama3")
    with caplog.at_level(logging.INFO):
        prepared = ppo.prepare(prompts_data("Hello"), params, tokenizer, AutoConfig.from_pretrained(folder), LOG)
    assert tokenizer.chat_template == template_text(TEMPLATES["llama3"], "<|eot_id|>")  # as sft binds it
    text = tokenizer.decode(prepared.train[0]["input_ids"])
    assert text.endswith("Hello<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n")  # a user turn
    assert caplog.text.count("Prompt rule: the chat template is in use") == 1


def test_rollouts_stop_at_the_end_of_turn_and_the_turn_end_check_runs(tiny_lm, tmp_path, caplog):
    """A base model whose EOS is not the template's end-of-turn token (as Qwen base models ship)."""
    folder = shutil.copytree(tiny_lm, tmp_path / "base-like")
    tokenizer = AutoTokenizer.from_pretrained(folder)
    im_end = tokenizer.convert_tokens_to_ids("<|im_end|>")
    tokenizer.eos_token = "<|unk|>"
    model = SimpleNamespace(
        config=SimpleNamespace(eos_token_id=tokenizer.eos_token_id),
        generation_config=SimpleNamespace(eos_token_id=tokenizer.eos_token_id),
    )
    assert stop_token_ids(tokenizer, model) == sorted({tokenizer.eos_token_id, im_end})
    generation = json.loads((folder / "generation_config.json").read_text())
    (folder / "generation_config.json").write_text(json.dumps({**generation, "eos_token_id": tokenizer.eos_token_id}))
    params = ppo_params(folder, "unused-reward")
    config = SimpleNamespace(eos_token_id=tokenizer.eos_token_id, model_type="llama")
    with caplog.at_level(logging.INFO):
        ppo.prepare(prompts_data("Hello"), params, tokenizer, config, LOG)
    assert "Warning: the chat template does not end assistant replies with a token generation stops on" in caplog.text


def test_reward_retokenizing_keeps_eos_when_pad_is_eos(tiny_lm):
    policy_tok = AutoTokenizer.from_pretrained(tiny_lm)
    policy_tok.pad_token = policy_tok.eos_token  # a common setup: pad == EOS
    scorer = RewardScorer.__new__(RewardScorer)
    scorer.policy_tokenizer, scorer.tokenizer = policy_tok, AutoTokenizer.from_pretrained(tiny_lm)
    scorer.reuse_ids, scorer.max_length = False, 512
    query = policy_tok.apply_chat_template([{"role": "user", "content": "Hi"}], add_generation_prompt=True)
    query_ids, query_mask = left_pad([list(query["input_ids"])], policy_tok.pad_token_id)
    reply = policy_tok("Hello", add_special_tokens=False)["input_ids"] + [policy_tok.eos_token_id]
    response = torch.tensor([reply + [policy_tok.pad_token_id] * 2])
    mask = torch.tensor([[1] * len(reply) + [0, 0]])
    empty = torch.zeros(response.shape)
    rollout = SimpleNamespace(query_ids=query_ids, query_mask=query_mask, response_ids=response, response_mask=mask)
    rollout.logprobs = rollout.ref_logprobs = rollout.values = empty
    (sequence,) = scorer.sequences(rollout)
    assert scorer.tokenizer.decode(sequence).endswith("<|im_start|>assistant\nHello<|im_end|>")  # EOS kept
    assert sequence == list(query["input_ids"]) + reply  # exactly what the reward model was trained on


def test_responses_cut_at_the_token_limit_are_counted_and_reported(tiny_lm, caplog):
    tokenizer = AutoTokenizer.from_pretrained(tiny_lm)
    model = AutoModelForCausalLM.from_pretrained(tiny_lm).eval()
    policy, reference = PolicyWithValueHead(model), ReferencePolicy(model)
    queries = [tokenizer("one two")["input_ids"], tokenizer("the cat")["input_ids"]]
    base = {"max_new_tokens": 3, "temperature": 1.0, "top_k": 0, "top_p": 1.0, "pad_token_id": tokenizer.pad_token_id}
    every_token_stops = SamplingSettings(stop_token_ids=list(range(len(tokenizer))), **base)
    never_stops = SamplingSettings(stop_token_ids=[tokenizer.pad_token_id], **base)  # pad is never sampled
    torch.manual_seed(0)
    assert collect_rollout(policy, reference, queries, every_token_stops, 2).cut.tolist() == [False, False]
    assert collect_rollout(policy, reference, queries, never_stops, 2).cut.tolist() == [True, True]
    history = [{"responses": 16.0, "responses_cut": 5.0}, {"responses": 16.0, "responses_cut": 2.0}]
    with caplog.at_level(logging.WARNING):
        assert cut_summary(history, 6, LOG) == {"train_responses_cut": 7, "train_responses": 32}
    assert "7 of 32 PPO responses were cut at --rl-max-new-tokens 6" in caplog.text
