"""text-classification survives a SIGKILL: the resumed run repeats the uninterrupted run's loss curve."""

from __future__ import annotations

import json
import random
import signal

import pytest

from aitraining.testing import make_tiny_encoder
from aitraining.testing.interrupt import spawn, step_losses

WORDS = {"positive": ["great", "lovely", "superb"], "negative": ["awful", "dull", "poor"]}


def write_data(folder):
    rng = random.Random(0)
    folder.mkdir()
    rows = []
    for _ in range(60):
        label = rng.choice(sorted(WORDS))
        rows.append({"text": f"the film was {rng.choice(WORDS[label])} today", "target": label})
    (folder / "train.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return folder


@pytest.mark.slow
def test_sigkill_after_the_second_checkpoint_then_auto_resume(run_cli, tmp_path):
    model = make_tiny_encoder(tmp_path / "enc")
    data = write_data(tmp_path / "data")

    def args(project):
        return list(
            map(
                str,
                [
                    *("text-classification", "--train", "--model", model, "--data-path", data),
                    *("--project-name", project, "--batch-size", "8", "--gradient-accumulation", "1"),
                    *("--epochs", "2", "--lr", "1e-3", "--logging-steps", "1", "--max-seq-length", "16"),
                    *("--save-strategy", "steps", "--save-steps", "2", "--save-total-limit", "2"),
                ],
            )
        )

    code, log = run_cli(*args(tmp_path / "twin"))
    assert code == 0, log
    twin = step_losses(tmp_path / "twin")
    project = tmp_path / "run"
    child = spawn(args(project), after=2, mode="kill")
    output, _ = child.communicate(timeout=600)
    assert child.returncode == -signal.SIGKILL, output
    code, log = run_cli(*args(project), "--resume-from-checkpoint", "auto")
    assert code == 0, log
    assert "checkpoint-4 (step 4" in log
    resumed = step_losses(project)
    last = max(twin)
    assert sorted(resumed) == sorted(twin) and last == 12  # 48 training rows after the 20% holdout, two epochs
    assert max(abs(resumed[s] - twin[s]) for s in twin) < 1e-4, (resumed, twin)
    print(f"text-classification SIGKILL: final loss {resumed[last]:.6f}, uninterrupted {twin[last]:.6f}")
