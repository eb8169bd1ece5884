"""Distillation with several processes: KD metrics are summed over every process before they are logged, and a
2-process gloo run (slow) distils like one process with the same effective batch and saves the model once."""

import json
import logging
import os
import subprocess
import sys

import pytest
import torch
from helpers import sft_params

from aitraining.cli.main import main
from aitraining.tasks.llm.task import build


class TwoProcesses:
    """An accelerator stand-in whose other process logged `other` ([sum, weight] per name, flattened)."""

    num_processes = 2
    device = torch.device("cpu")

    def __init__(self, other):
        self.other = torch.tensor(other, dtype=torch.float64)

    def reduce(self, tensor, reduction):
        assert reduction == "sum"
        return tensor + self.other


def test_logged_kd_metrics_are_reduced_over_processes(tiny_lm, qa_data, tmp_path, monkeypatch):
    trainer = build(sft_params(tiny_lm, qa_data), logging.getLogger("t"), tmp_path / "p").trainer
    trainer._kd_sums["train"] = {"distill_loss": [3.0, 10.0], "task_loss": [2.0, 1.0], "distill_top_k_mass": [0, 0]}
    monkeypatch.setattr(trainer, "accelerator", TwoProcesses([1.0, 30.0, 4.0, 1.0, 0.0, 0.0]))
    logs = {"loss": 1.0}
    trainer.log(logs)
    # weighted by positions over both processes (4 / 40), not the mean of the two processes' means (0.1667)
    assert logs["distill_loss"] == pytest.approx(0.1) and logs["task_loss"] == pytest.approx(3.0)
    assert "distill_top_k_mass" not in logs
    assert trainer._kd_sums["train"]["distill_loss"] == [0.0, 0.0]  # the next logging window starts empty


def job(model, teacher, data, project, batch):
    args = ["llm", "--train", "--trainer", "sft", "--model", model, "--data-path", data, "--project-name", project]
    args += ["--use-distillation", "--teacher-model", teacher, "--distill-alpha", "0.5", "--distill-temperature", "2"]
    args += ["--batch-size", batch, "--gradient-accumulation", "1", "--warmup-steps", "2", "--lr", "1e-3"]
    args += ["--logging-steps", "1", "--save-strategy", "no", "--max-samples", "32", "--valid-split", "valid"]
    return [str(a) for a in args]


def history(project, key):
    return [entry[key] for entry in json.loads((project / "metrics.json").read_text())["history"] if key in entry]


@pytest.mark.slow  # a 2-process run plus its 1-process reference: about 2 minutes on 2 busy cores
def test_two_processes_distil_like_one(tiny_lm, fresh_student, qa_data, tmp_path):
    assert main(job(tiny_lm, fresh_student, qa_data, tmp_path / "one", 4)) == 0
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1", "PYTHONPATH": os.pathsep.join(sys.path)}
    cmd = [sys.executable, "-m", "aitraining", *job(tiny_lm, fresh_student, qa_data, tmp_path / "two", 2)]
    done = subprocess.run([*cmd, "--num-processes", "2"], capture_output=True, text=True, env=env, timeout=600)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]
    assert "Starting 2 processes on this machine (ddp" in output and output.count("Model saved to") == 1
    assert (tmp_path / "two" / "model.safetensors").is_file()
    one, two = tmp_path / "one", tmp_path / "two"
    kd_one, kd_two = history(one, "distill_loss"), history(two, "distill_loss")
    assert len(kd_one) == len(kd_two) == 8
    # step 1 sees the same batch and weights: the KL over both processes' positions is the one-process KL
    assert kd_two[0] == pytest.approx(kd_one[0], abs=1e-4), (kd_one, kd_two)
    # later steps: DDP averages the two halves' KD gradients (a mean of means), so the curves stay close only
    assert kd_two == pytest.approx(kd_one, rel=0.05), (kd_one, kd_two)
    assert history(two, "loss") == pytest.approx(history(one, "loss"), rel=0.02)
    for name in ("eval_distill_loss", "eval_task_loss"):
        assert history(two, name)[-1] == pytest.approx(history(one, name)[-1], rel=0.05), name
    print(f"distill_loss 1 process {kd_one[0]:.5f} -> {kd_one[-1]:.5f}, 2: {kd_two[0]:.5f} -> {kd_two[-1]:.5f}")
