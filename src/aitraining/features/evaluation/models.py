"""Loading the two models compared (upstream calls kept here): the base (--model) and the trained project.

A project that holds a LoRA adapter at its root (--merge-adapter=False) is loaded as base + adapter with peft;
otherwise the project's full (possibly merged) model is loaded. Both run in eval mode on one device.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def load_causal_lm(path: str | Path, device: str) -> Any:
    from transformers import AutoModelForCausalLM

    return AutoModelForCausalLM.from_pretrained(str(path)).to(device).eval()


def load_trained(project: Path, base_model: str, device: str) -> Any:
    if (project / "adapter_config.json").is_file():
        from peft import PeftModel

        return PeftModel.from_pretrained(load_causal_lm(base_model, device), str(project)).to(device).eval()
    return load_causal_lm(project, device)


def release() -> None:
    """Free the memory of a model the caller has dropped, before the next one loads."""
    import gc

    import torch

    gc.collect()
    if torch.cuda.is_available():
        torch.cuda.empty_cache()
