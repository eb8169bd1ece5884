"""A DPO run and a PPO run on a GPU, with the tiny models and data the CPU tests use (tests/llm):
the policy trains on the GPU under bf16 autocast and the numbers each trainer reports move the right way."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import pytest
from gpu_helpers import DEVICE, llm, mean

pytestmark = pytest.mark.gpu

PPO_TESTS = Path(__file__).parents[1] / "llm" / "ppo"  # ppo_helpers: the reward model the CPU tests train
PRECISION = ("--mixed-precision", "bf16") if DEVICE == "cuda" else ()  # CPU bf16 autocast is slow


def history(project: Path) -> list[dict]:
    return json.loads((project / "metrics.json").read_text())["history"]


def test_dpo_on_gpu(run_cli, tiny_lm, tmp_path, loaded_models):
    from aitraining.testing import write_preference_dataset

    data = write_preference_dataset(tmp_path / "pref", n_train=160, n_valid=8)
    project = tmp_path / "dpo"
    code, log = run_cli(
        *llm("--trainer", "dpo", "--model", tiny_lm, "--data-path", data, "--project-name", project, *PRECISION),
        *("--prompt-text-column", "prompt", "--text-column", "chosen", "--rejected-text-column", "rejected"),
        *("--batch-size", "8", "--gradient-accumulation", "1", "--epochs", "4", "--lr", "3e-3"),
        *("--logging-steps", "2", "--save-strategy", "no", "--block-size", "64", "--warmup-ratio", "0.05"),
    )
    assert code == 0, log
    assert next(loaded_models[0].parameters()).device.type == DEVICE
    logged = [entry for entry in history(project) if "loss" in entry]
    assert all(math.isfinite(entry["loss"]) for entry in logged), logged
    margins = [entry["rewards/margins"] for entry in logged]
    # the policy starts equal to its frozen reference, so the margin starts at 0 and the DPO loss at ln 2;
    # training on a learnable preference set opens the margin (rewards are beta=0.1 x log-ratios; the last
    # three were 0.15-0.26 after 3 epochs on CPU)
    assert margins[0] == pytest.approx(0, abs=1e-2) and mean(margins[-3:]) > 0.1, margins
    assert mean([entry["loss"] for entry in logged[-3:]]) < math.log(2), logged
    assert (project / "model.safetensors").is_file()


@pytest.fixture(scope="module")
def reward_model(tiny_lm, tmp_path_factory):
    sys.path.insert(0, str(PPO_TESTS))
    from ppo_helpers import train_reward_model

    return train_reward_model(str(tiny_lm), tmp_path_factory.mktemp("reward_model"))


def test_ppo_steps_on_gpu(run_cli, tiny_lm, reward_model, tmp_path, loaded_models):
    from ppo_helpers import PROMPTS

    data = tmp_path / "prompts"
    data.mkdir()
    (data / "train.jsonl").write_text("".join(json.dumps({"prompt": p}) + "\n" for p in PROMPTS * 4))
    project = tmp_path / "ppo"
    code, log = run_cli(
        *llm("--trainer", "ppo", "--model", tiny_lm, "--data-path", data, "--project-name", project, *PRECISION),
        *("--text-column", "prompt", "--rl-reward-model-path", reward_model, "--peft", "--lora-r", "4"),
        *("--rl-chunk-size", "8", "--rl-mini-batch-size", "4", "--rl-max-new-tokens", "6", "--block-size", "32"),
        *("--batch-size", "8", "--lr", "1e-3", "--epochs", "1"),
    )
    assert code == 0, log
    policy = loaded_models[0]
    assert next(policy.parameters()).device.type == DEVICE
    steps = history(project)
    assert len(steps) == 4 and "ppo step 4 | reward " in log  # 32 prompts in chunks of 8
    for entry in steps:
        assert all(math.isfinite(entry[key]) for key in ("reward_mean", "kl", "loss")), entry
    assert (project / "model.safetensors").is_file()
