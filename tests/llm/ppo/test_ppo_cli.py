"""`aitraining llm --trainer ppo` in-process, through the same task.py pipeline as the other trainers."""

from __future__ import annotations

import json

import pytest
from ppo_helpers import PROMPTS
from transformers import AutoModelForCausalLM, AutoTokenizer

from aitraining.cli.main import main


def run_cli(capsys, *args) -> tuple[int, str]:
    code = main(["llm", "--train", "--trainer", "ppo", *args])
    out, err = capsys.readouterr()
    return code, out + err


@pytest.fixture
def prompt_data(tmp_path):
    data = tmp_path / "prompts"
    data.mkdir()
    (data / "train.jsonl").write_text("".join(json.dumps({"prompt": p}) + "\n" for p in PROMPTS))
    return data


def test_cli_ppo_with_lora_saves_a_merged_policy(capsys, tiny_lm, reward_model, prompt_data, tmp_path):
    project = tmp_path / "ppo"
    code, log = run_cli(
        capsys,
        *("--model", str(tiny_lm), "--data-path", str(prompt_data), "--project-name", str(project)),
        *("--text-column", "prompt", "--rl-reward-model-path", str(reward_model), "--peft", "--lora-r", "4"),
        *("--rl-chunk-size", "4", "--rl-mini-batch-size", "2", "--rl-max-new-tokens", "4", "--block-size", "32"),
        *("--batch-size", "2", "--gradient-accumulation", "2", "--lr", "1e-3"),
    )
    assert code == 0, log
    assert "ppo step 2 | reward " in log and "PPO prompts: 8 rows (0 chat)" in log
    ignored = "gradient_accumulation is not used by PPO (each PPO minibatch is one optimiser step)"
    assert ignored in log and ignored in (project / "README.md").read_text()  # warned at resolve time
    metrics = json.loads((project / "metrics.json").read_text())
    assert metrics["final"]["train_steps"] == 2 and len(metrics["history"]) == 2
    assert {"reward_mean", "kl", "loss"} <= metrics["history"][0].keys()
    assert "train_reward_end" in (project / "README.md").read_text()
    assert (project / "adapter" / "adapter_config.json").is_file()
    model = AutoModelForCausalLM.from_pretrained(project)
    tokenizer = AutoTokenizer.from_pretrained(project)
    ids = tokenizer("one two", return_tensors="pt")
    assert model.generate(**ids, max_new_tokens=3, do_sample=False).shape[1] == ids["input_ids"].shape[1] + 3


def test_cli_ppo_with_a_generator_as_reward_model_fails_early(capsys, tiny_lm, prompt_data, tmp_path):
    code, log = run_cli(
        capsys,
        *("--model", str(tiny_lm), "--data-path", str(prompt_data), "--project-name", str(tmp_path / "p")),
        *("--text-column", "prompt", "--rl-reward-model-path", str(tiny_lm)),
    )
    assert code != 0
    assert "is a LlamaForCausalLM, not a sequence-classification scorer" in log
    assert "--trainer reward" in log and "Traceback" not in log
    assert not (tmp_path / "p").exists()  # failed before the project folder was claimed
