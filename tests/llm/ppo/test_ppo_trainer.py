"""PPO end to end on a tiny policy and a tiny reward model that likes number words: the reward rises,
the KL to the reference stays bounded, the policy really says more number words, and with LoRA only
the adapter and the value head train while the reference is the same model with the adapter off."""

from __future__ import annotations

import json
import logging
from contextlib import contextmanager

import pytest
import torch
from ppo_helpers import PROMPTS, good_token_ids, ppo_params
from transformers import AutoModelForCausalLM, AutoTokenizer

from aitraining.errors import AitrainingError, ParamError
from aitraining.tasks.llm import models
from aitraining.tasks.llm.ppo.data import tokenize_prompts
from aitraining.tasks.llm.ppo.rollout import left_pad, response_mask, sample_responses
from aitraining.tasks.llm.ppo.trainer import PPOTrainer
from aitraining.tasks.llm.trainers import ppo

LOG_KEYS = {"step", "epoch", "reward_mean", "kl", "policy_loss", "value_loss", "clip_fraction", "loss"}


def _mean(history: list[dict], key: str) -> float:
    return sum(h[key] for h in history) / len(history)


def number_word_rate(model, trainer: PPOTrainer) -> float:
    """Ground truth, independent of the reward model: the share of sampled tokens that are number words."""
    good = torch.tensor(good_token_ids(trainer.tokenizer))
    ids, mask = left_pad(trainer.prompts, trainer.tokenizer.pad_token_id)
    torch.manual_seed(123)
    responses = sample_responses(model, ids, mask, trainer.sampling)
    valid = response_mask(responses, trainer.sampling.stop_token_ids).bool()
    return float((torch.isin(responses, good) & valid).sum() / valid.sum())


@pytest.fixture(scope="module")
def prompts(tiny_lm):
    tokenizer = AutoTokenizer.from_pretrained(tiny_lm)
    return tokenize_prompts(list(PROMPTS) * 4, tokenizer, limit=48, source="test prompts")[0]


def test_ppo_raises_the_reward_and_keeps_kl_bounded(tiny_lm, reward_model, prompts, caplog, tmp_path):
    params = ppo_params(tiny_lm, reward_model, log="tensorboard")  # 12 epochs x 2 chunks of 16 prompts = 24 PPO steps
    tokenizer = AutoTokenizer.from_pretrained(tiny_lm)
    model = AutoModelForCausalLM.from_pretrained(tiny_lm)
    with caplog.at_level(logging.INFO):
        trainer = PPOTrainer(model, tokenizer, prompts, params, tmp_path, logging.getLogger("ppo-test"))
        output = trainer.train()
    history = trainer.state.log_history
    assert output.global_step == len(history) == 24
    assert all(entry.keys() >= LOG_KEYS for entry in history)
    for entry in history:  # the engine prints and stores `loss`: it must be the optimised sum
        assert entry["loss"] == pytest.approx(entry["policy_loss"] + 0.1 * entry["value_loss"], rel=1e-4, abs=1e-6)
    assert "ppo step 24 | reward " in caplog.text and "| clip " in caplog.text
    assert list((tmp_path / "logs").glob("events.out.tfevents*"))

    first, last = _mean(history[:6], "reward_mean"), _mean(history[-6:], "reward_mean")
    kl_end = _mean(history[-6:], "kl")
    print(f"reward {first:.3f} -> {last:.3f}, final KL {kl_end:.3f} nats per response")
    assert last > first + 2.0  # seen: +3.9 to +4.4 over seeds 0-2
    assert 0.5 < kl_end < 16.0  # seen: 8.0 to 11.1; the 0.2 KL coefficient holds it there
    assert output.metrics["train_reward_end"] > output.metrics["train_reward_start"]

    trained_rate, reference_rate = (
        number_word_rate(trainer.model, trainer),
        number_word_rate(trainer.reference.model, trainer),
    )
    print(f"number words per token: reference {reference_rate:.3f}, trained {trained_rate:.3f}")
    assert trained_rate > max(0.1, 10 * reference_rate)  # seen: 0.005 -> 0.46-0.54

    original = AutoModelForCausalLM.from_pretrained(tiny_lm).state_dict()
    reference = trainer.reference.model.state_dict()
    assert all(torch.equal(original[name], reference[name]) for name in original)  # the reference stayed frozen
    assert any(not torch.equal(original[name], value) for name, value in trainer.model.state_dict().items())


@contextmanager
def counting_disable_adapter(model):
    """Spy on peft's `disable_adapter()` context: how often the reference pass used it."""
    original = model.disable_adapter
    calls = []

    @contextmanager
    def spy():
        calls.append(1)
        with original():
            yield

    model.disable_adapter = spy
    try:
        yield calls
    finally:
        del model.disable_adapter


def test_lora_trains_only_the_adapter_and_value_head_and_turns_the_adapter_off_for_reference(
    tiny_lm, reward_model, prompts, tmp_path
):
    # The tiny random model's output layer has 0.02-std weights, which caps how far logits can move while it
    # stays frozen, so the adapter covers it too here (real checkpoints learn fine without that).
    lora = {"peft": True, "target_modules": "q_proj,v_proj,lm_head", "lora_r": 8, "lora_alpha": 16, "lora_dropout": 0.0}
    params = ppo_params(tiny_lm, reward_model, **lora, lr=2e-2, epochs=10)  # 20 PPO steps
    tokenizer = AutoTokenizer.from_pretrained(tiny_lm)
    torch.manual_seed(0)  # the adapter's initialisation must not depend on which tests ran before
    model = models.add_lora(AutoModelForCausalLM.from_pretrained(tiny_lm), params, task_type="CAUSAL_LM")
    before = {name: p.detach().clone() for name, p in model.named_parameters()}
    with counting_disable_adapter(model) as calls:
        trainer = PPOTrainer(model, tokenizer, prompts, params, tmp_path, logging.getLogger("ppo-test"))
        trainer.train()
    assert trainer.reference.shares_policy and trainer.reference.model is None  # no second copy
    assert len(calls) == 20 * 2  # one reference pass per rollout batch of 8: 20 steps x 16 prompts
    history = trainer.state.log_history
    first, last = _mean(history[:5], "reward_mean"), _mean(history[-5:], "reward_mean")
    print(f"LoRA: reward {first:.3f} -> {last:.3f}, final KL {_mean(history[-5:], 'kl'):.3f}")
    assert last > first + 2.0  # seen: +3.4 to +4.3 over seeds 0-2

    changed = {name for name, p in model.named_parameters() if not torch.equal(before[name], p)}
    assert changed and all("lora_" in name for name in changed)
    assert not any(p.requires_grad for name, p in model.named_parameters() if "lora_" not in name)
    trainable = {id(p) for p in trainer.trainable}
    head = trainer.policy_with_value.value_head
    assert {id(head.weight), id(head.bias)} <= trainable
    assert not torch.equal(head.weight, torch.zeros_like(head.weight))
    assert len(trainable) == sum(1 for _ in model.parameters() if _.requires_grad) + 2


def test_trainer_module_runs_like_task_py_and_saves_a_loadable_policy(tiny_lm, reward_model, tmp_path, caplog):
    data = tmp_path / "prompts"
    data.mkdir()
    rows = [{"text": [{"role": "user", "content": p}, {"role": "assistant", "content": "four"}]} for p in PROMPTS]
    rows.append({"text": [{"role": "user", "content": "What goes with red?"}]})
    (data / "train.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    params = ppo_params(tiny_lm, reward_model, data_path=str(data), epochs=1, rl_chunk_size=9, gradient_accumulation=2)
    logger = logging.getLogger("ppo-test")
    with caplog.at_level(logging.INFO):
        loaded = ppo.load_data(params, logger)
        tokenizer = models.load_tokenizer(params.model, logger)
        model = models.load_model(params, tokenizer)
        prepared = ppo.prepare(loaded, params, tokenizer, model.config, logger)
        trainer = ppo.build_trainer(model, tokenizer, prepared, params, tmp_path / "project")
        output = trainer.train()
    assert prepared.valid is None
    assert prepared.notes[0].startswith("PPO prompts: 9 rows (9 chat)")
    assert output.global_step == 1 and "ppo step 1 | reward" in caplog.text

    from aitraining.tasks.llm.task import final_metrics

    metrics = final_metrics(trainer, output, has_eval=False)
    assert metrics["final"]["train_steps"] == 1 and len(metrics["history"]) == 1
    project = tmp_path / "project"
    models.save_trained(trainer.model, tokenizer, params, project, logger)
    reloaded = AutoModelForCausalLM.from_pretrained(project)
    ids = tokenizer("one two", return_tensors="pt")
    assert reloaded.generate(**ids, max_new_tokens=3, do_sample=False).shape[1] == ids["input_ids"].shape[1] + 3


def test_a_wrong_reward_model_path_fails_before_the_policy_loads(tiny_lm, tmp_path):
    params = ppo_params(tiny_lm, tmp_path / "missing", data_path=str(tmp_path))
    with pytest.raises(AitrainingError, match="must be a folder produced by `aitraining llm --trainer reward`"):
        ppo.load_data(params, logging.getLogger("ppo-test"))


def test_a_scheduler_ppo_cannot_use_fails_before_the_policy_loads(tiny_lm, reward_model, tmp_path):
    params = ppo_params(tiny_lm, reward_model, data_path=str(tmp_path), scheduler="reduce_lr_on_plateau")
    with pytest.raises(ParamError, match="needs an eval metric"):
        ppo.load_data(params, logging.getLogger("ppo-test"))
