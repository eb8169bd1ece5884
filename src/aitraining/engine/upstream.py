"""Every upstream keyword that moved between releases lives here, so one file changes with upstream.

- transformers 5 removed `logging_dir`: TensorBoard's folder comes from TENSORBOARD_LOGGING_DIR.
- transformers 5.24 removed `warmup_ratio`: a float in [0, 1) passed as `warmup_steps` is a ratio.
- transformers 5.24 renamed `gradient_checkpointing` to `activation_checkpointing`.
- transformers 5 removed `tokenizer=` on Trainer: the tokenizer is passed as `processing_class=`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


def tensorboard_dir(path: Path) -> None:
    """Point the TensorBoard callback at `path` (must run before the Trainer is created)."""
    os.environ["TENSORBOARD_LOGGING_DIR"] = str(path)


def warmup_kwargs(warmup_ratio: float, warmup_steps: int | None) -> dict[str, Any]:
    if warmup_steps is not None:
        return {"warmup_steps": int(warmup_steps)}
    if not 0 <= warmup_ratio < 1:
        from aitraining.errors import ParamError

        raise ParamError(f"warmup_ratio must be in [0, 1), got {warmup_ratio}.")
    return {"warmup_steps": float(warmup_ratio)}


def checkpointing_kwargs(enabled: bool) -> dict[str, Any]:
    """transformers 5.24 renamed gradient_checkpointing* to activation_checkpointing*."""
    from transformers import TrainingArguments

    prefix = "activation" if "activation_checkpointing" in TrainingArguments.__dataclass_fields__ else "gradient"
    return {f"{prefix}_checkpointing": enabled, f"{prefix}_checkpointing_kwargs": {"use_reentrant": False}}


def trainer_tokenizer_kwargs(tokenizer: Any) -> dict[str, Any]:
    return {"processing_class": tokenizer}
