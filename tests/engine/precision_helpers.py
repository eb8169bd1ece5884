"""Checkpoints stored in a chosen dtype, and what a run changed in them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file


def stored_as(source: Path, dest: Path, dtype: torch.dtype) -> Path:
    """A copy of the model folder `source` with its weights stored in `dtype` (config.json says so too),
    as a Hub checkpoint saved in that dtype is."""
    shutil.copytree(source, dest)
    weights = dest / "model.safetensors"
    state = {name: t.to(dtype) if t.is_floating_point() else t for name, t in load_file(weights).items()}
    save_file(state, weights, metadata={"format": "pt"})
    config_file = dest / "config.json"
    config = json.loads(config_file.read_text())
    config["dtype"] = str(dtype).removeprefix("torch.")
    config_file.write_text(json.dumps(config, indent=2))
    return dest


def saved_dtypes(folder: Path) -> set[torch.dtype]:
    return {tensor.dtype for tensor in load_file(folder / "model.safetensors").values()}


def changed_fraction(before: Path, after: Path) -> float:
    """Fraction of the weights (input embeddings aside: rows of unseen tokens get no gradient) whose value
    differs between two saved models, compared in float32."""
    old, new = load_file(before / "model.safetensors"), load_file(after / "model.safetensors")
    shared = [name for name in old if name in new and "embed_tokens" not in name and old[name].is_floating_point()]
    changed = sum(int((old[n].float() != new[n].float()).sum()) for n in shared)
    return changed / sum(old[n].numel() for n in shared)


def losses(project: Path) -> list[float]:
    history = json.loads((project / "metrics.json").read_text())["history"]
    return [entry["loss"] for entry in history if "loss" in entry]
