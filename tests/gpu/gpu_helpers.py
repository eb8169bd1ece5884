"""Shared pieces of the GPU tests: the command line, checkpoints stored in a chosen dtype, losses on one batch."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

# "cuda"; "cpu" only to check the tests' own logic on a machine without a GPU (see conftest.py): the
# checks that need CUDA kernels (fp16, bitsandbytes, flash-attention) still skip there.
DEVICE = os.environ.get("AITRAINING_GPU_TESTS_DEVICE", "cuda")

# A short run: one logged loss per step, no checkpoints, no warm-up (losses are compared first to last). On the
# counting corpus (tests/conftest.py text_data, 120 rows) blocks of 16 tokens make about 11 steps per epoch.
SHORT = (
    *("--batch-size", "8", "--gradient-accumulation", "1", "--logging-steps", "1"),
    *("--save-strategy", "no", "--warmup-ratio", "0", "--block-size", "16"),
)
# Counting lines as in the corpus (aitraining.testing.write_text_corpus), of different lengths so that the
# batch is padded
SAMPLE_TEXTS = ("one two three four five six", "nine ten eleven twelve zero one two three four", "four five six seven")


def llm(*argv: Any) -> list[str]:
    return ["llm", "--train", *(str(a) for a in argv)]


def losses(project: Path) -> list[float]:
    history = json.loads((project / "metrics.json").read_text())["history"]
    return [entry["loss"] for entry in history if "loss" in entry]


def mean(values: list[float]) -> float:
    return sum(values) / len(values)


def falls(seen: list[float], factor: float) -> bool:
    """The mean of the last 5 logged losses is below `factor` x the mean of the first 5."""
    return len(seen) >= 10 and mean(seen[-5:]) < factor * mean(seen[:5])


def stored_as(source: Path, dest: Path, dtype: Any) -> Path:
    """A copy of the model folder `source` with its weights stored in `dtype` (config.json says so too),
    as a Hub checkpoint saved in half precision is."""
    from safetensors.torch import load_file, save_file

    shutil.copytree(source, dest)
    weights = dest / "model.safetensors"
    state = {name: t.to(dtype) if t.is_floating_point() else t for name, t in load_file(weights).items()}
    save_file(state, weights, metadata={"format": "pt"})
    config = json.loads((dest / "config.json").read_text())
    config["dtype"] = str(dtype).removeprefix("torch.")
    (dest / "config.json").write_text(json.dumps(config, indent=2))
    return dest


def saved_dtypes(folder: Path) -> set[Any]:
    from safetensors.torch import load_file

    return {t.dtype for t in load_file(folder / "model.safetensors").values() if t.is_floating_point()}


def text_batch(tokenizer: Any, device: str = DEVICE) -> dict[str, Any]:
    """SAMPLE_TEXTS right-padded into one batch; labels ignore the padding."""
    batch = tokenizer(list(SAMPLE_TEXTS), return_tensors="pt", padding=True)
    batch["labels"] = batch["input_ids"].masked_fill(batch["attention_mask"] == 0, -100)
    return {name: tensor.to(device) for name, tensor in batch.items()}


def batch_loss(model: Any, batch: dict[str, Any]) -> float:
    import torch

    with torch.no_grad():
        return float(model(**batch).loss.float())


def batch_logits(model: Any, batch: dict[str, Any]) -> Any:
    """float32 logits at the real (unpadded) positions."""
    import torch

    with torch.no_grad():
        logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits.float()
    return logits[batch["attention_mask"].bool()]


def bnb_modules(model: Any) -> list[str]:
    """Names of the modules implemented by bitsandbytes (quantized linear layers)."""
    return [name for name, module in model.named_modules() if type(module).__module__.startswith("bitsandbytes")]
