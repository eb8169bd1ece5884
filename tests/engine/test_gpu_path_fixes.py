"""CPU checks of GPU-path fixes (the GPU runs themselves are in tests/gpu): where a quantized model is placed,
FSDP under a one-process launcher, and what --auto-find-batch-size logs after an out-of-memory error."""

import json
import math

import pytest

from aitraining.engine import distributed
from aitraining.tasks.llm.params import LLMParams


def test_quantized_model_is_never_placed_by_auto(monkeypatch):
    for name in ("WORLD_SIZE", "RANK", "LOCAL_RANK"):
        monkeypatch.delenv(name, raising=False)
    assert distributed.device_map() == {"": 0}  # one plain process: the whole model on GPU 0, no CPU offload
    monkeypatch.setenv("WORLD_SIZE", "4")
    monkeypatch.setenv("LOCAL_RANK", "3")
    assert distributed.device_map() == {"": 3}  # each process: its own GPU


def test_a_one_process_launcher_keeps_the_chosen_backend(monkeypatch):
    monkeypatch.delenv("LOCAL_RANK", raising=False)
    monkeypatch.delenv("WORLD_SIZE", raising=False)
    fsdp = LLMParams(distributed_backend="fsdp")
    assert distributed.backend_kwargs(fsdp) == {} and not distributed.sharded(fsdp)  # a plain run: no wrapping
    monkeypatch.setenv("WORLD_SIZE", "1")  # torchrun --nproc_per_node 1 / accelerate launch with one process
    monkeypatch.setenv("LOCAL_RANK", "0")
    monkeypatch.setattr(distributed, "_has_cuda", lambda: True)
    kwargs = distributed.backend_kwargs(fsdp)
    assert kwargs["fsdp"] is True and kwargs["fsdp_config"]["version"] == 2
    assert distributed.sharded(fsdp) and not distributed.sharded(LLMParams())  # save_model gathers; ddp does not
    assert not distributed.is_distributed() and distributed.is_main()


def test_int4_computes_in_fp16_where_bf16_is_missing_or_fp16_is_asked(monkeypatch):
    import torch

    from aitraining.engine import hardware

    monkeypatch.setattr(hardware, "has_cuda", lambda: True)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: True)
    assert hardware.int4_compute_dtype("none") == hardware.int4_compute_dtype("bf16") == torch.bfloat16
    assert hardware.int4_compute_dtype("fp16") == torch.float16  # autocast's dtype, no bf16/fp16 round trips
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: False)  # a T4 or V100
    assert hardware.int4_compute_dtype("none") == torch.float16
    assert hardware.quantization_config("int4", "none").bnb_4bit_compute_dtype == torch.float16
    assert hardware.quantization_config("int8").load_in_8bit and hardware.quantization_config("none") is None


OOM_ABOVE = 6  # a forward on more rows than this raises the error CUDA raises when memory runs out


@pytest.fixture
def oom_above(monkeypatch):
    """Llama forwards on more than OOM_ABOVE rows fail as CUDA would: accelerate's batch finder keys on
    a RuntimeError whose one argument contains ' out of memory.'"""
    from transformers import LlamaForCausalLM

    forward = LlamaForCausalLM.forward
    sizes = []

    def limited(self, input_ids=None, *args, **kwargs):
        sizes.append(input_ids.shape[0])
        if input_ids.shape[0] > OOM_ABOVE:
            raise RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB (simulated by the test)")
        return forward(self, input_ids, *args, **kwargs)

    monkeypatch.setattr(LlamaForCausalLM, "forward", limited)
    return sizes


def test_auto_find_batch_size_retries_smaller_and_logs_the_size_found(run_cli, tiny_lm, text_data, tmp_path, oom_above):
    project = tmp_path / "auto"
    code, log = run_cli(
        *("llm", "--train", "--trainer", "generic", "--model", tiny_lm, "--data-path", text_data),
        *("--project-name", project, "--batch-size", "16", "--auto-find-batch-size", "--block-size", "16"),
        *("--logging-steps", "1", "--save-strategy", "no", "--disable-gradient-checkpointing", "--lr", "1e-3"),
    )
    assert code == 0, log
    # accelerate shrinks by 10% per failure: 16, 14, 12, 10, 9, 8, 7, then 6 fits
    assert [s for s in oom_above if s > OOM_ABOVE] == [16, 14, 12, 10, 9, 8, 7]
    assert max(oom_above) == 16 and set(oom_above[7:]) <= {1, 2, 3, 4, 5, 6}
    assert log.count("--auto-find-batch-size: trying batch size") == 8
    found = "--auto-find-batch-size: trained with batch size 6 per device; --batch-size 16 did not fit in memory."
    assert found in log and found in (project / "training.log").read_text()
    history = json.loads((project / "metrics.json").read_text())["history"]
    assert history and all(math.isfinite(entry["loss"]) for entry in history if "loss" in entry)


def test_auto_find_batch_size_that_fits_says_so(run_cli, tiny_lm, text_data, tmp_path):
    code, log = run_cli(
        *("llm", "--train", "--trainer", "generic", "--model", tiny_lm, "--data-path", text_data),
        *("--project-name", tmp_path / "fits", "--batch-size", "4", "--auto-find-batch-size", "--block-size", "16"),
        *("--max-samples", "16", "--save-strategy", "no", "--disable-gradient-checkpointing"),
    )
    assert code == 0, log
    assert "--auto-find-batch-size: trained with batch size 4 per device (--batch-size 4 fitted)." in log


@pytest.mark.slow  # a real torchrun subprocess (~20 s here); the GPU version is tests/gpu/test_fsdp_one_gpu.py
def test_torchrun_with_one_process_trains_under_fsdp(tiny_lm, text_data, tmp_path):
    import os
    import subprocess
    import sys

    import torch

    project = tmp_path / "fsdp"
    job = ["llm", "--train", "--trainer", "generic", "--model", str(tiny_lm), "--data-path", str(text_data)]
    job += ["--project-name", str(project), "--block-size", "16", "--save-strategy", "no"]
    launcher = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "1"]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1"}
    done = subprocess.run(
        [*launcher, "-m", "aitraining", *job, "--distributed-backend", "fsdp"],
        env=env,
        text=True,
        capture_output=True,
        timeout=400,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    assert (done.stdout + done.stderr).count("Model saved to") == 1
    args = torch.load(project / "training_args.bin", weights_only=False)
    assert args.fsdp and args.fsdp_config["version"] == 2 and args.ddp_backend == "gloo"
    assert (project / "model.safetensors").is_file()
