"""Checks of what this machine can do, raised as clear errors before any model is loaded."""

from __future__ import annotations

from typing import Any

from aitraining.errors import NotAvailableError


def has_cuda() -> bool:
    import torch

    return torch.cuda.is_available()


def check_mixed_precision(mode: str) -> None:
    if mode == "none":
        return
    import torch

    if mode == "fp16" and not has_cuda():
        raise NotAvailableError(
            "--mixed-precision fp16 needs a CUDA GPU and none is available here. "
            "Use --mixed-precision bf16 (if the CPU supports it) or none."
        )
    if mode == "bf16" and has_cuda() and not torch.cuda.is_bf16_supported():
        raise NotAvailableError("--mixed-precision bf16 is not supported by this GPU; use fp16 or none.")


def check_quantization(mode: str) -> None:
    if mode == "none":
        return
    if not has_cuda():
        raise NotAvailableError(
            f"--quantization {mode} uses bitsandbytes, which needs a CUDA GPU; none is available here. "
            "Drop --quantization (LoRA with --peft still works) or run on a machine with a GPU."
        )
    try:
        import bitsandbytes  # noqa: F401
    except ImportError:
        raise NotAvailableError(
            f"--quantization {mode} needs bitsandbytes: pip install 'bitsandbytes>=0.45,<1'."
        ) from None


def quantization_config(mode: str, mixed_precision: str = "none") -> Any:
    if mode == "none":
        return None
    from transformers import BitsAndBytesConfig

    if mode == "int4":
        return BitsAndBytesConfig(
            load_in_4bit=True,
            bnb_4bit_quant_type="nf4",
            bnb_4bit_compute_dtype=int4_compute_dtype(mixed_precision),
            bnb_4bit_use_double_quant=True,
        )
    return BitsAndBytesConfig(load_in_8bit=True)


def int4_compute_dtype(mixed_precision: str) -> Any:
    """The dtype int4 layers dequantize to for their matmuls: bf16, or fp16 with --mixed-precision fp16 or on
    a GPU without bf16 (before Ampere: T4, V100), where bf16 matmuls are emulated or fail."""
    import torch

    if mixed_precision == "fp16" or (has_cuda() and not torch.cuda.is_bf16_supported()):
        return torch.float16
    return torch.bfloat16


def check_flash_attention(enabled: bool) -> None:
    if not enabled:
        return
    if not has_cuda():
        raise NotAvailableError("--use-flash-attention-2 needs a CUDA GPU; none is available here.")
    try:
        import flash_attn  # noqa: F401
    except ImportError:
        raise NotAvailableError("--use-flash-attention-2 needs the flash-attn package.") from None
