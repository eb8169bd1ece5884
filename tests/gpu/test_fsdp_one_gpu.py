"""FSDP on one GPU: `torchrun --nproc_per_node 1 -m aitraining ... --distributed-backend fsdp` in a real
subprocess trains under FSDP2 (a one-process launcher keeps the backend, engine/distributed.launched) and
saves one full, loadable model (every rank joins the gather, rank 0 writes)."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys

import pytest
from gpu_helpers import DEVICE, SHORT, batch_loss, llm, losses, text_batch

pytestmark = pytest.mark.gpu


def test_fsdp_on_one_gpu_saves_one_loadable_model(lm256, text_data, tmp_path):
    import torch
    from safetensors.torch import load_file
    from transformers import AutoModelForCausalLM, AutoTokenizer

    project = tmp_path / "fsdp"
    precision = ("--mixed-precision", "bf16") if DEVICE == "cuda" else ()
    job = llm("--trainer", "generic", "--model", lm256, "--data-path", text_data, "--project-name", project)
    job += [*SHORT, "--epochs", "3", "--lr", "2e-3", "--distributed-backend", "fsdp", *precision]
    launcher = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "1"]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1"}
    done = subprocess.run([*launcher, "-m", "aitraining", *job], capture_output=True, text=True, env=env, timeout=500)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]
    assert "Starting" not in output  # under a launcher already: no relaunch
    assert output.count("Model saved to") == 1
    args = torch.load(project / "training_args.bin", weights_only=False)
    assert args.fsdp and args.fsdp_config["version"] == 2  # the Trainer ran with FSDP2, not plain one-process
    seen = losses(project)
    assert seen and all(math.isfinite(x) for x in seen) and seen[-1] < seen[0], seen
    # one full state dict under the original names and shapes (no FSDP prefixes, no shards)
    base, saved = load_file(lm256 / "model.safetensors"), load_file(project / "model.safetensors")
    assert {n: t.shape for n, t in saved.items()} == {n: t.shape for n, t in base.items()}
    assert not list(project.glob("*.distcp")) and not list(project.glob("pytorch_model_fsdp*"))
    assert json.loads((project / "config.json").read_text())["model_type"] == "llama"
    model = AutoModelForCausalLM.from_pretrained(project).to(DEVICE).eval()
    tokenizer = AutoTokenizer.from_pretrained(project)
    assert batch_loss(model, text_batch(tokenizer)) < 0.8 * math.log(len(tokenizer))  # it learned the counting
