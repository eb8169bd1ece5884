"""Runs that survive, for the LLM trainers: signals, resume, refused changes, broken checkpoints, NaN.

The same sft command runs once uninterrupted (the twin) and once interrupted; the resumed run must
log the same loss at every step, which only happens when it continues with the same weights,
optimizer, schedule, random states and the same next batches (no replay from the start).
"""

from __future__ import annotations

import json
import shutil
import signal

import pytest
from transformers import TrainerCallback

from aitraining.engine import checkpoints as ck
from aitraining.engine import hf_guard
from aitraining.testing.interrupt import spawn, step_losses, wait_for_ready

STEPS = 8  # 64 rows, batch 8


def sft_args(model, data, project, *extra):
    return list(
        map(
            str,
            [
                *(
                    "llm",
                    "--train",
                    "--trainer",
                    "sft",
                    "--model",
                    model,
                    "--data-path",
                    data,
                    "--project-name",
                    project,
                ),
                *("--batch-size", "8", "--gradient-accumulation", "1", "--block-size", "64", "--logging-steps", "1"),
                *("--warmup-ratio", "0", "--lr", "1e-3", "--save-strategy", "steps", "--save-steps", "2"),
                *("--save-total-limit", "2", "--disable-gradient-checkpointing", "--max-samples", "64"),
                *extra,
            ],
        )
    )


@pytest.fixture(scope="module")
def twin(tiny_lm, text_data, tmp_path_factory):
    """The uninterrupted run; `auto` on a fresh folder simply starts from the beginning."""
    from aitraining.cli.main import main

    project = tmp_path_factory.mktemp("twin") / "run"
    assert main(sft_args(tiny_lm, text_data, project, "--resume-from-checkpoint", "auto")) == 0
    return step_losses(project)


def signal_at(monkeypatch, step: int, sig: signal.Signals) -> None:
    """Deliver a real signal to this process at the start of training step `step`."""

    class Raise(TrainerCallback):
        def on_step_begin(self, args, state, control, **kwargs):
            if state.global_step + 1 == step:
                signal.raise_signal(sig)

    attach = hf_guard.attach
    monkeypatch.setattr(
        hf_guard, "attach", lambda trainer, guard: (attach(trainer, guard), trainer.add_callback(Raise()))
    )


def assert_same_curve(resumed: dict[int, float], twin: dict[int, float]) -> None:
    assert sorted(resumed) == list(range(1, STEPS + 1))  # every step once: nothing replayed, nothing skipped
    assert max(abs(resumed[s] - twin[s]) for s in twin) < 1e-4, (resumed, twin)


def test_sigterm_saves_then_rerun_is_refused_and_resume_continues_the_curve(
    run_cli, monkeypatch, tiny_lm, text_data, tmp_path, twin
):
    project = tmp_path / "run"
    argv = sft_args(tiny_lm, text_data, project)
    signal_at(monkeypatch, 5, signal.SIGTERM)
    code, log = run_cli(*argv)
    monkeypatch.undo()
    assert code == 143, log
    assert f"Training stopped by SIGTERM at step 5; a full resumable checkpoint was saved to {project}" in log
    assert "--disable-gradient-checkpointing --max-samples 64 --resume-from-checkpoint auto" in log
    saved = ck.checkpoints_root(project) / "checkpoint-5"
    assert ck.validate(saved) is None
    assert {"optimizer.pt", "scheduler.pt", "rng_state.pth", "trainer_state.json"} <= set(
        ck.read_manifest(saved)["files"]
    )
    assert not (project / "metrics.json").exists()

    before = sorted(p.name for p in project.rglob("*"))
    code, log = run_cli(*argv)  # the identical command: never starts over silently
    assert code == 2 and "holds checkpoints of an unfinished run (newest: checkpoint-5)" in log
    assert "--resume-from-checkpoint auto" in log and "--overwrite" in log
    code, log = run_cli(
        *sft_args(tiny_lm, text_data, project, "--lr", "2e-3", "--batch-size", "4", "--resume-from-checkpoint", "auto")
    )
    assert code == 2 and "--lr was 0.001, now 0.002" in log and "--batch-size was 8, now 4" in log
    assert "--resume-allow-changes" in log
    assert sorted(p.name for p in project.rglob("*")) == before  # refused runs change nothing

    broken = tmp_path / "broken"
    shutil.copytree(project, broken)
    code, log = run_cli(*argv, "--resume-from-checkpoint", "auto")
    assert code == 0, log
    assert f"Resuming from {saved} (step 5, epoch 0.62)" in log
    resumed = step_losses(project)
    assert_same_curve(resumed, twin)
    print(f"sft SIGTERM at 5: final loss {resumed[STEPS]:.6f}, uninterrupted {twin[STEPS]:.6f}")

    weights = ck.checkpoints_root(broken) / "checkpoint-5" / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:1000])  # truncated on purpose
    code, log = run_cli(*sft_args(tiny_lm, text_data, broken, "--resume-from-checkpoint", "auto"))
    assert code == 0, log
    assert "checkpoint-5: model.safetensors has 1000 bytes" in log and "(truncated or changed)" in log
    assert "checkpoint-4 (step 4" in log
    assert_same_curve(step_losses(broken), twin)


def test_forced_nan_stops_with_the_step_and_keeps_the_last_good_checkpoint(run_cli, tiny_lm, text_data, tmp_path):
    project = tmp_path / "nan"
    argv = sft_args(tiny_lm, text_data, project, "--optimizer", "sgd", "--lr", "1e30", "--save-steps", "1")
    code, log = run_cli(*argv, "--max-bad-steps", "2")
    assert code == 4, log
    assert "Training diverged at step 3: loss nan" in log and "2 consecutive steps since step 2" in log
    assert "a lower --lr (now 1e+30)" in log and "--max-grad-norm" in log and "precision" in log
    assert f"the last good checkpoint is kept: {ck.checkpoints_root(project) / 'checkpoint-1'}" in log
    assert "step 2: non-finite loss nan" in (project / "training.log").read_text()  # logged, not filtered
    assert [p.name for p in ck.list_checkpoints(ck.checkpoints_root(project))] == ["checkpoint-1"]
    assert not (project / "model.safetensors").exists()


@pytest.mark.slow  # the in-process test above delivers a real SIGTERM too; this one sends it from outside
def test_sigterm_from_outside_leaves_a_checkpoint_that_resumes(run_cli, tiny_lm, text_data, tmp_path, twin):
    project = tmp_path / "run"
    argv = sft_args(tiny_lm, text_data, project)
    child = spawn(argv, after=2, mode="wait")
    wait_for_ready(child, project)
    child.send_signal(signal.SIGTERM)
    output, _ = child.communicate(timeout=300)
    assert child.returncode == 143, output
    assert "Training stopped by SIGTERM" in output and "--resume-from-checkpoint auto" in output
    code, log = run_cli(*argv, "--resume-from-checkpoint", "auto")
    assert code == 0, log
    assert_same_curve(step_losses(project), twin)


@pytest.mark.slow
def test_sigkill_after_the_second_checkpoint_then_auto_resume_sft(run_cli, tiny_lm, text_data, tmp_path, twin):
    project = tmp_path / "run"
    argv = sft_args(tiny_lm, text_data, project)
    child = spawn(argv, after=2, mode="kill")
    output, _ = child.communicate(timeout=600)
    assert child.returncode == -signal.SIGKILL, output
    assert [p.name for p in ck.list_checkpoints(ck.checkpoints_root(project))] == ["checkpoint-2", "checkpoint-4"]
    code, log = run_cli(*argv, "--resume-from-checkpoint", "auto")
    assert code == 0, log
    resumed = step_losses(project)
    assert_same_curve(resumed, twin)
    print(f"sft SIGKILL after checkpoint-4: final loss {resumed[STEPS]:.6f}, uninterrupted {twin[STEPS]:.6f}")
    assert json.loads((project / "metrics.json").read_text())["final"]["train_steps"] == STEPS


@pytest.mark.slow
def test_sigkill_after_the_second_checkpoint_then_auto_resume_dpo(run_cli, tiny_lm, tmp_path):
    from aitraining.testing import write_preference_dataset

    data = write_preference_dataset(tmp_path / "pref", n_train=48, n_valid=8)

    def dpo_args(project):
        return list(
            map(
                str,
                [
                    *("llm", "--train", "--trainer", "dpo", "--model", tiny_lm, "--data-path", data),
                    *("--project-name", project, "--prompt-text-column", "prompt", "--text-column", "chosen"),
                    *("--rejected-text-column", "rejected", "--batch-size", "8", "--gradient-accumulation", "1"),
                    *("--block-size", "64", "--logging-steps", "1", "--warmup-ratio", "0", "--lr", "1e-3"),
                    *("--epochs", "2", "--save-strategy", "steps", "--save-steps", "2", "--save-total-limit", "2"),
                    "--disable-gradient-checkpointing",
                ],
            )
        )

    code, log = run_cli(*dpo_args(tmp_path / "twin"))
    assert code == 0, log
    twin = step_losses(tmp_path / "twin")
    project = tmp_path / "run"
    child = spawn(dpo_args(project), after=2, mode="kill")
    output, _ = child.communicate(timeout=600)
    assert child.returncode == -signal.SIGKILL, output
    code, log = run_cli(*dpo_args(project), "--resume-from-checkpoint", "auto")
    assert code == 0, log
    assert "Resuming from" in log and "checkpoint-4 (step 4" in log
    resumed = step_losses(project)
    assert sorted(resumed) == sorted(twin) == list(range(1, 13))  # 48 rows / 8, two epochs
    assert max(abs(resumed[s] - twin[s]) for s in twin) < 1e-4, (resumed, twin)
    print(f"dpo SIGKILL after checkpoint-4: final loss {resumed[12]:.6f}, uninterrupted {twin[12]:.6f}")


def test_a_signal_during_evaluation_saves_at_once_and_the_resume_completes(
    run_cli, monkeypatch, tiny_lm, text_data, tmp_path
):
    project = tmp_path / "run"
    # evaluations at steps 3 and 6, checkpoints every 2 steps: no best-checkpoint selection (it needs them aligned)
    argv = sft_args(
        tiny_lm, text_data, project, "--valid-split", "valid", "--eval-strategy", "steps", "--keep-best-model=False"
    )
    argv[argv.index("--logging-steps") + 1] = "3"
    seen = []

    class SignalInEvaluation(TrainerCallback):
        def on_prediction_step(self, args, state, control, **kwargs):
            seen.append(state.global_step)
            if len(seen) == 1:
                signal.raise_signal(signal.SIGINT)

    attach = hf_guard.attach
    monkeypatch.setattr(
        hf_guard, "attach", lambda trainer, guard: (attach(trainer, guard), trainer.add_callback(SignalInEvaluation()))
    )
    code, log = run_cli(*argv)
    monkeypatch.undo()
    assert code == 130, log
    assert "Training stopped by SIGINT at step 3" in log
    assert seen == [3]  # the evaluation was not finished: the checkpoint came at its first batch
    assert ck.validate(ck.checkpoints_root(project) / "checkpoint-3") is None
    code, log = run_cli(*argv, "--resume-from-checkpoint", "auto")
    assert code == 0, log
    assert sorted(step_losses(project)) == [1, 3, 6]  # logged every 3 steps, each once
    assert json.loads((project / "metrics.json").read_text())["final"]["train_steps"] == STEPS


@pytest.mark.slow
@pytest.mark.parametrize("trainer", ["generic", "orpo", "reward"])
def test_the_other_llm_trainers_resume_on_the_same_curve(run_cli, monkeypatch, tiny_lm, tmp_path, trainer):
    from aitraining.testing import write_preference_dataset

    data = write_preference_dataset(tmp_path / "pref", n_train=48, n_valid=8)
    columns = ["--prompt-text-column", "prompt", "--text-column", "chosen", "--rejected-text-column", "rejected"]
    if trainer == "generic":  # packs the text into blocks: short blocks make enough steps
        columns = ["--text-column", "prompt", "--block-size", "8"]

    def args(project):
        argv = sft_args(tiny_lm, data, project, *columns)
        argv[argv.index("sft")] = trainer
        at = argv.index("--max-samples")
        return argv[:at] + argv[at + 2 :]

    code, log = run_cli(*args(tmp_path / "twin"))
    assert code == 0, log
    twin = step_losses(tmp_path / "twin")
    signal_at(monkeypatch, 3, signal.SIGTERM)
    code, log = run_cli(*args(tmp_path / "run"))
    monkeypatch.undo()
    assert code == 143, log
    code, log = run_cli(*args(tmp_path / "run"), "--resume-from-checkpoint", "auto")
    assert code == 0, log
    resumed = step_losses(tmp_path / "run")
    last = max(twin)
    assert sorted(resumed) == sorted(twin) == list(range(1, last + 1)) and last >= 5
    assert max(abs(resumed[s] - twin[s]) for s in twin) < 1e-4, (resumed, twin)
    print(f"{trainer} SIGTERM at 3: final loss {resumed[last]:.6f}, uninterrupted {twin[last]:.6f}")


@pytest.mark.slow
def test_a_second_signal_exits_at_once(tiny_lm, text_data, tmp_path):
    import time

    project = tmp_path / "run"
    child = spawn(sft_args(tiny_lm, text_data, project), after=2, mode="wait")
    wait_for_ready(child, project)
    child.send_signal(signal.SIGTERM)
    time.sleep(0.05)  # inside the tripwire's slowed-down step: the first signal's save has not begun
    child.send_signal(signal.SIGTERM)
    output, _ = child.communicate(timeout=300)
    assert child.returncode == 143, output
    assert "SIGTERM received again: exiting now, without saving." in output
    assert "Training stopped by" not in output
