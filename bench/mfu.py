"""Model FLOPs utilisation of the 0.5B-class SFT case: 6 x parameters x trained tokens/s / peak FLOP/s."""

from __future__ import annotations

from pathlib import Path
from typing import Any

# Dense bf16 tensor-core peaks (no sparsity), FLOP/s, by a substring of torch.cuda.get_device_name().
PEAK_BF16: dict[str, float] = {
    "H200": 989e12,
    "H100": 989e12,
    "H800": 989e12,
    "A100": 312e12,
    "L40S": 362e12,
    "L4": 121e12,
}


def has_gpu() -> bool:
    import torch

    return torch.cuda.is_available()


def device_name() -> str:
    return __import__("torch").cuda.get_device_name(0) if has_gpu() else "cpu"


def peak_flops(name: str) -> float | None:
    for key in sorted(PEAK_BF16, key=len, reverse=True):  # "L40S" before "L4"
        if key in name:
            return PEAK_BF16[key]
    return None


def parameters(model: Path) -> int:
    """Parameter count from the config alone (meta device: no weights read)."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    with torch.device("meta"):
        built = AutoModelForCausalLM.from_config(AutoConfig.from_pretrained(model))
    return sum(p.numel() for p in built.parameters())


def report(model: Path, ours_tokens_s: float | None, plain_tokens_s: float | None) -> dict[str, Any]:
    name, count = device_name(), parameters(model)
    peak = peak_flops(name)
    out: dict[str, Any] = {"device": name, "parameters": count, "peak_flops": peak}
    for side, rate in (("ours", ours_tokens_s), ("plain", plain_tokens_s)):
        out[side] = round(6 * count * rate / peak, 4) if peak and rate else None
    if peak is None:
        out["note"] = f"no peak FLOP/s known for {name!r}: add it to bench/mfu.py PEAK_BF16"
    return out
