"""Two CPU processes (gloo) train the same sft job as one process with the same effective batch:
batch 2 x 2 processes against batch 4 x 1. Started by our own relaunch (--num-processes 2) and by torchrun."""

import json
import os
import re
import subprocess
import sys
from collections import Counter

import pytest

from aitraining.cli.main import main

pytestmark = pytest.mark.slow  # two fresh multi-process runs, about 2 minutes here

# Our own log lines (split on \r and \n, since progress bars share the stream): each must appear once.
OWN_LINE = re.compile(
    r"^(step \d+/\d+ \|.*|sft data format.*|Effective batch size.*|Model saved to.*|train: \d+ rows.*)$"
)


def job(model, data, project, batch):
    return [
        "llm",
        "--train",
        "--trainer",
        "sft",
        "--model",
        str(model),
        "--data-path",
        str(data),
        "--project-name",
        str(project),
        "--batch-size",
        str(batch),
        "--gradient-accumulation",
        "1",
        "--warmup-steps",
        "2",
        "--lr",
        "1e-3",
        "--logging-steps",
        "1",
        "--save-strategy",
        "no",
    ]


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    from aitraining.testing import make_tiny_causal_lm, write_chat_dataset

    root = tmp_path_factory.mktemp("multiproc")
    model = make_tiny_causal_lm(root / "lm")
    data = write_chat_dataset(root / "chat", n_train=48, n_valid=8)
    assert main(job(model, data, root / "one", 4)) == 0  # the one-process reference, in this process
    return model, data, losses(root / "one")


def losses(project):
    history = json.loads((project / "metrics.json").read_text())["history"]
    return [entry["loss"] for entry in history if "loss" in entry]


def run(cmd):
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1"}
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=400)
    assert done.returncode == 0, done.stderr[-4000:]
    return done.stdout + done.stderr


def check_two_process_run(project, output, reference):
    assert losses(project) == pytest.approx(reference, abs=2e-3)  # same samples per step, same updates
    lines = [line.strip() for line in re.split(r"[\r\n]", output)]
    counts = Counter(line for line in lines if OWN_LINE.match(line))
    assert counts and max(counts.values()) == 1, [line for line, n in counts.items() if n > 1]
    assert sum(line.startswith("step ") for line in counts) == len(reference)
    assert "Effective batch size: 4 (--batch-size 2 per process x --gradient-accumulation 1 x 2 process(es))" in counts
    assert output.count("Model saved to") == 1
    assert output.count("Loading weights:   0%") <= 1  # rank 1 shows no upstream progress bars
    assert (project / "model.safetensors").is_file() and (project / "README.md").is_file()
    logged = (project / "training.log").read_text().splitlines()
    steps = [line.split(" INFO ", 1)[1] for line in logged if " INFO step " in line]
    assert len(steps) == len(set(steps)) == len(reference)  # only rank 0 writes the log


def test_num_processes_2_matches_one_process(setup, tmp_path):
    model, data, reference = setup
    output = run([sys.executable, "-m", "aitraining", *job(model, data, tmp_path / "two", 2), "--num-processes", "2"])
    assert "Starting 2 processes on this machine (ddp" in output
    check_two_process_run(tmp_path / "two", output, reference)


def test_torchrun_start_with_fsdp(setup, tmp_path):
    """Started by torchrun (not relaunched), sharded with FSDP2 on gloo: same curve, one full saved model."""
    model, data, reference = setup
    launcher = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2"]
    job_args = [*job(model, data, tmp_path / "torchrun", 2), "--distributed-backend", "fsdp"]
    output = run([*launcher, "-m", "aitraining", *job_args])
    assert "Starting" not in output  # already under a launcher: no second launch
    check_two_process_run(tmp_path / "torchrun", output, reference)
