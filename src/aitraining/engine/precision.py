"""Which dtype each model's weights are held in, and which dtype the saved model is written in.

transformers 5 loads a checkpoint in the dtype it was stored in. Most current checkpoints are bf16, and an
optimiser step of ~2e-5 is below half the bf16 spacing of a typical weight (~1e-4 near 0.02): updated in
place, most of them round away and training silently stalls. So:

- weights that train are float32 (master weights); `--mixed-precision` runs the maths under autocast;
- frozen weights (a LoRA base, references, reward scorers) keep the checkpoint's half precision on a GPU,
  where it halves their memory; on a CPU they are float32 too (CPU half-precision kernels are slow or missing);
- quantized bases are left to bitsandbytes and peft's k-bit preparation;
- the trained model is saved in the checkpoint's own dtype unless `--save-dtype` says otherwise.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aitraining.engine.hardware import has_cuda
from aitraining.errors import AitrainingError

if TYPE_CHECKING:
    import torch


def dtype_name(dtype: Any) -> str:
    return str(dtype).removeprefix("torch.")


def to_dtype(name: str) -> torch.dtype:
    import torch

    return getattr(torch, name)


def checkpoint_dtype(model: str) -> torch.dtype:
    """The dtype `model`'s weights are stored in (config.json `dtype`, or `torch_dtype` before transformers 5);
    float32 when the config does not say or cannot be read."""
    import torch

    from aitraining.engine.modelload import load_config

    try:
        config = load_config(model)
    except AitrainingError:  # no config.json at the root (e.g. an old sentence-transformers layout)
        return torch.float32
    stored = getattr(config, "dtype", None) or getattr(config, "torch_dtype", None)
    if isinstance(stored, str):
        stored = getattr(torch, stored, None)
    return stored if isinstance(stored, torch.dtype) and stored.is_floating_point else torch.float32


def frozen_dtype(stored: torch.dtype) -> torch.dtype:
    """Frozen weights keep a half-precision checkpoint's dtype on a GPU; float32 otherwise."""
    import torch

    if stored in (torch.bfloat16, torch.float16) and has_cuda():
        return stored
    return torch.float32


def save_dtype(choice: str, model: str) -> torch.dtype:
    """The dtype the trained weights are written in: --save-dtype, with auto = the base checkpoint's."""
    return checkpoint_dtype(model) if choice == "auto" else to_dtype(choice)


def floating_dtypes(module: Any, *, trainable: bool | None = None) -> set[Any]:
    """The dtypes of `module`'s floating-point parameters (only trainable or frozen ones when asked)."""
    return {
        p.dtype
        for p in module.parameters()
        if p.is_floating_point() and (trainable is None or p.requires_grad == trainable)
    }


def upcast_trainable(module: Any) -> int:
    """Put every trainable half-precision parameter in float32 (LoRA adapters, heads peft keeps trainable);
    returns how many were cast."""
    import torch

    cast = 0
    for parameter in module.parameters():
        if parameter.requires_grad and parameter.dtype in (torch.bfloat16, torch.float16):
            parameter.data = parameter.data.float()
            cast += 1
    return cast


def describe(dtypes: set[Any]) -> str:
    return "/".join(sorted(dtype_name(d) for d in dtypes)) or "no floating-point weights"


def cast_for_saving(model: Any, choice: str, base_model: str, logger: Any) -> None:
    """Cast a fully trained model to the save dtype, after training. A peft model is left alone: save_trained
    writes its adapter as trained and casts the merged model."""
    if getattr(model, "peft_config", None) is not None:
        return
    target = save_dtype(choice, base_model)
    held = floating_dtypes(model)
    if held <= {target}:
        return
    model.to(target)
    why = "the dtype of the --model checkpoint" if choice == "auto" else "--save-dtype"
    logger.info(f"Saving the weights in {dtype_name(target)} ({why}); training ran on {describe(held)} weights.")
