"""--auto-find-batch-size on a GPU: a --batch-size that cannot fit runs out of memory, the batch shrinks
until a step fits, the run finishes and the log says which batch size it found.

The GPU's memory is capped for this process (torch.cuda.set_per_process_memory_fraction) so the test needs the
same few GiB on any GPU; the memory one 512-token block takes is measured, and --batch-size asks for 1.5x
what the cap holds. (The CPU test with a simulated out-of-memory error is tests/engine/test_gpu_path_fixes.py.)
"""

from __future__ import annotations

import json
import math
import random
import re

import pytest
from gpu_helpers import llm

pytestmark = [pytest.mark.gpu, pytest.mark.cuda_only]

CAP = 4 * 2**30  # bytes of GPU memory this process may use during the test
SEQ = 512  # tokens per block (the tiny model's max_position_embeddings)
WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve")


@pytest.fixture
def capped_gpu():
    import torch

    torch.cuda.empty_cache()
    total = torch.cuda.get_device_properties(0).total_memory
    torch.cuda.set_per_process_memory_fraction(CAP / total, 0)
    yield
    torch.cuda.set_per_process_memory_fraction(1.0, 0)
    torch.cuda.empty_cache()


def bytes_per_block(model_path) -> float:
    """Extra peak memory of a float32 forward+backward per 512-token row (slope between batches of 2 and 4,
    so the weights and their gradients cancel out)."""
    import torch
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(model_path, dtype=torch.float32).to("cuda").train()
    peaks = {}
    for rows in (2, 4):
        torch.cuda.reset_peak_memory_stats()
        start = torch.cuda.memory_allocated()
        ids = torch.randint(0, model.config.vocab_size, (rows, SEQ), device="cuda")
        model(input_ids=ids, labels=ids).loss.backward()
        peaks[rows] = torch.cuda.max_memory_allocated() - start
        model.zero_grad(set_to_none=True)
    del model, ids
    torch.cuda.empty_cache()
    return (peaks[4] - peaks[2]) / 2


def write_long_rows(folder, rows: int):
    """`rows` rows of ~480 counting words (about one 512-token block each)."""
    rng = random.Random(0)
    folder.mkdir()
    with (folder / "train.jsonl").open("w") as out:
        for _ in range(rows):
            start = rng.randrange(len(WORDS))
            out.write(json.dumps({"text": " ".join(WORDS[(start + i) % len(WORDS)] for i in range(480))}) + "\n")
    return folder


def test_auto_find_batch_size_finds_a_batch_that_fits(run_cli, tmp_path, capped_gpu, record_property):
    from aitraining.testing import make_tiny_causal_lm

    model = make_tiny_causal_lm(tmp_path / "lm", hidden_size=512, num_layers=4)
    per_block = bytes_per_block(model)
    fits = CAP / per_block  # blocks whose activations fill the cap (an upper bound: weights and Adam need room)
    asked = math.ceil(1.5 * fits)
    data = write_long_rows(tmp_path / "data", rows=3 * asked)
    project = tmp_path / "auto"
    code, log = run_cli(
        *llm("--trainer", "generic", "--model", model, "--data-path", data, "--project-name", project),
        *("--block-size", SEQ, "--batch-size", asked, "--gradient-accumulation", "1", "--auto-find-batch-size"),
        *("--disable-gradient-checkpointing", "--save-strategy", "no", "--logging-steps", "1", "--epochs", "1"),
    )
    assert code == 0, log
    found_line = re.search(r"--auto-find-batch-size: trained with batch size (\d+) per device; --batch-size (\d+)", log)
    assert found_line, log[-3000:]
    found = int(found_line.group(1))
    for name, value in {"bytes_per_block": per_block, "asked": asked, "found": found, "fits": fits}.items():
        record_property(name, value)
    assert int(found_line.group(2)) == asked and found < asked
    assert log.count("--auto-find-batch-size: trying batch size") >= 2
    # the batch found uses at least a quarter of what the cap holds: the memory of the failed tries was freed
    # (a leak would push it far lower)
    assert found >= 0.25 * fits, (found, fits)
    history = json.loads((project / "metrics.json").read_text())["history"]
    assert history and all(math.isfinite(entry["loss"]) for entry in history if "loss" in entry)
