"""PPO survives interruptions: its checkpoints hold policy, value head, optimizer, schedule, random
states and the position in the prompts, so a resumed run repeats the uninterrupted run's curve."""

from __future__ import annotations

import json
import signal

import pytest
from ppo_helpers import PROMPTS

from aitraining.engine import checkpoints as ck
from aitraining.tasks.llm.ppo import trainer as ppo_trainer
from aitraining.testing.interrupt import spawn, step_losses

STEPS = 6  # 8 prompts in chunks of 4, three epochs


@pytest.fixture(scope="module")
def prompt_data(tmp_path_factory):
    data = tmp_path_factory.mktemp("prompts")
    (data / "train.jsonl").write_text("".join(json.dumps({"prompt": p}) + "\n" for p in PROMPTS))
    return data


def ppo_args(model, data, reward, project, *extra):
    return list(
        map(
            str,
            [
                *("llm", "--train", "--trainer", "ppo", "--model", model, "--data-path", data),
                *("--project-name", project, "--text-column", "prompt", "--rl-reward-model-path", reward),
                *("--rl-chunk-size", "4", "--rl-mini-batch-size", "2", "--rl-max-new-tokens", "4"),
                *("--block-size", "32", "--batch-size", "2", "--lr", "1e-3", "--epochs", "3"),
                *("--save-strategy", "steps", "--save-steps", "2", "--save-total-limit", "2"),
                *extra,
            ],
        )
    )


@pytest.fixture(scope="module")
def twin(tiny_lm, reward_model, prompt_data, tmp_path_factory):
    from aitraining.cli.main import main

    project = tmp_path_factory.mktemp("ppo_twin") / "run"
    assert main(ppo_args(tiny_lm, prompt_data, reward_model, project)) == 0
    return step_losses(project), step_losses(project, "reward_mean")


def assert_same_curve(project, twin) -> None:
    losses, rewards = twin
    resumed = step_losses(project)
    assert sorted(resumed) == list(range(1, STEPS + 1))
    assert max(abs(resumed[s] - losses[s]) for s in losses) < 1e-4, (resumed, losses)
    assert max(abs(v - rewards[s]) for s, v in step_losses(project, "reward_mean").items()) < 1e-4
    print(f"ppo: final loss {resumed[STEPS]:.6f}, uninterrupted {losses[STEPS]:.6f}")


def test_ppo_sigterm_saves_and_resume_continues_the_curve(
    run_cli, monkeypatch, tiny_lm, reward_model, prompt_data, tmp_path, twin
):
    project = tmp_path / "run"
    argv = ppo_args(tiny_lm, prompt_data, reward_model, project)
    step = ppo_trainer.PPOTrainer.step

    def step_then_signal(self, queries):
        if self.state.global_step == 2:  # during the third step
            signal.raise_signal(signal.SIGTERM)
        return step(self, queries)

    monkeypatch.setattr(ppo_trainer.PPOTrainer, "step", step_then_signal)
    code, log = run_cli(*argv)
    monkeypatch.undo()
    assert code == 143, log
    assert "Training stopped by SIGTERM at step 3" in log
    saved = ck.checkpoints_root(project) / "checkpoint-3"
    assert ck.validate(saved) is None and {"ppo_state.pt", "ppo_progress.json"} <= set(ck.read_manifest(saved)["files"])
    assert json.loads((saved / "ppo_progress.json").read_text())["position"]["chunk"] == 1
    code, log = run_cli(*argv, "--resume-from-checkpoint", "auto")
    assert code == 0, log
    assert "PPO: resumed at step 3 of 6." in log
    assert_same_curve(project, twin)


@pytest.mark.slow
def test_ppo_sigkill_after_the_second_checkpoint_then_auto_resume(
    run_cli, tiny_lm, reward_model, prompt_data, tmp_path, twin
):
    project = tmp_path / "run"
    argv = ppo_args(tiny_lm, prompt_data, reward_model, project)
    child = spawn(argv, after=2, mode="kill")
    output, _ = child.communicate(timeout=600)
    assert child.returncode == -signal.SIGKILL, output
    assert [p.name for p in ck.list_checkpoints(ck.checkpoints_root(project))] == ["checkpoint-2", "checkpoint-4"]
    code, log = run_cli(*argv, "--resume-from-checkpoint", "auto")
    assert code == 0, log
    assert_same_curve(project, twin)
