"""The one place where our parameters become transformers `TrainingArguments` keywords."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from aitraining.engine import distributed, upstream
from aitraining.engine.best import best_model_kwargs
from aitraining.engine.hardware import has_cuda
from aitraining.engine.logs import console_is_terminal, get_logger

if TYPE_CHECKING:
    from aitraining.params.groups import CommonParams


def training_kwargs(params: CommonParams, project: Path, *, has_eval: bool) -> dict[str, Any]:
    """Keywords shared by every Trainer-based task (TRL configs accept the same ones). The best checkpoint by
    eval_loss is kept when evaluations and saves line up; a task with another metric overrides those keys."""
    eval_strategy = params.eval_strategy if has_eval else "no"
    kwargs: dict[str, Any] = {
        "output_dir": str(project / "checkpoints"),
        "learning_rate": params.lr,
        "num_train_epochs": params.epochs,
        "per_device_train_batch_size": params.batch_size,
        "per_device_eval_batch_size": params.batch_size,
        "gradient_accumulation_steps": params.gradient_accumulation,
        "optim": params.optimizer,
        "lr_scheduler_type": params.scheduler,
        "weight_decay": params.weight_decay,
        "max_grad_norm": params.max_grad_norm,
        "seed": params.seed,
        "data_seed": params.seed,
        "fp16": params.mixed_precision == "fp16",
        "bf16": params.mixed_precision == "bf16",
        "use_cpu": not has_cuda(),  # lets bf16 run on CPUs that support it instead of failing late
        "auto_find_batch_size": params.auto_find_batch_size,
        "logging_steps": params.logging_steps,
        "logging_first_step": True,
        "eval_strategy": eval_strategy,
        "eval_steps": params.logging_steps if eval_strategy == "steps" else None,
        "save_strategy": params.save_strategy,
        "save_steps": params.save_steps,
        "save_total_limit": None,  # engine/guard rotates: it never deletes the last complete checkpoint
        "logging_nan_inf_filter": False,  # a NaN/inf loss is logged as it is, never averaged away
        "report_to": [] if params.log == "none" else [params.log],
        "push_to_hub": False,  # pushing is done once, after saving, by engine.hub
        "disable_tqdm": not console_is_terminal(),  # engine.logs draws the one bar we show
        "remove_unused_columns": False,
        "dataloader_pin_memory": has_cuda(),
    }
    kwargs.update(best_model_kwargs(params, eval_strategy))
    kwargs.update(upstream.warmup_kwargs(params.warmup_ratio, params.warmup_steps))
    kwargs.update(upstream.checkpointing_kwargs(not params.disable_gradient_checkpointing))
    kwargs.update(distributed.backend_kwargs(params))
    get_logger().info(distributed.effective_batch_line(params))
    if params.log == "tensorboard":
        upstream.tensorboard_dir(project / "logs")
    return kwargs
