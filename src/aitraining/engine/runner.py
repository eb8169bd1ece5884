"""Run one training: checks before any heavy work, then the task, then artefacts and the push."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aitraining.config import Resolved
from aitraining.engine import distributed, logs
from aitraining.engine.card import render_card
from aitraining.engine.hub import hub_target, push
from aitraining.engine.project import CARD_FILE, LOG_FILE, Project
from aitraining.errors import NotAvailableError, ParamError


@dataclass
class RunResult:
    """What a task hands back for the card and the metrics file."""

    metrics: dict[str, Any]
    data_description: str
    notes: list[str] = field(default_factory=list)
    library: str = "transformers"


@dataclass
class RunContext:
    resolved: Resolved
    project: Project
    logger: Any
    log_handler: Any = None
    log_buffer: Any = None

    @property
    def params(self) -> Any:
        return self.resolved.params

    def claim_project(self) -> None:
        """Called by the task once data and model are loaded: only now is the folder touched (by rank 0)."""
        if distributed.is_main():
            self.project.claim()
            self.log_handler = logs.attach_file(self.project.path / LOG_FILE, self.log_buffer)
            self.log_buffer = None
            self.project.write_params(self.params.public_dict())
        distributed.barrier()


def preflight(resolved: Resolved, overwrite: bool) -> tuple[Project, tuple[str, str] | None]:
    params = resolved.params
    if params.backend != "local":
        raise NotAvailableError(
            f"--backend {params.backend} is not available in this version; use --backend local (the default)."
        )
    if not params.model:
        raise ParamError(f"--model is required for 'aitraining {resolved.task.name}' (a local folder or hub id).")
    if not params.data_path:
        raise ParamError(f"--data-path is required for 'aitraining {resolved.task.name}'.")
    if getattr(params, "log", "none") == "wandb":
        check_wandb()
    project = Project(Path(params.project_name), overwrite=overwrite, task=resolved.task.name)
    distributed.check_supported(params, resolved.task.name)
    project.check()  # every rank checks (read-only), then all wait so rank 0 claims the folder after them
    distributed.barrier()
    return project, hub_target(params)


def check_wandb() -> None:
    try:
        import wandb  # noqa: F401
    except ImportError:
        raise NotAvailableError("--log wandb needs the wandb package: pip install 'wandb>=0.17,<1'.") from None
    if not os.environ.get("WANDB_API_KEY") and os.environ.get("WANDB_MODE") not in ("offline", "disabled"):
        os.environ["WANDB_MODE"] = "offline"
        logs.get_logger().info("wandb: no WANDB_API_KEY set, logging offline (sync later with 'wandb sync').")


def quiet_upstream_noise() -> None:
    """Hide upstream deprecation chatter about upstream's own internals and per-map progress bars;
    our own warnings and the training progress bar stay."""
    import warnings

    warnings.filterwarnings("ignore", message=r".*deprecated and will be removed in v6.*", category=FutureWarning)
    from datasets.utils.logging import disable_progress_bar

    disable_progress_bar()


def run_training(resolved: Resolved, *, overwrite: bool = False) -> Path:
    logger = logs.setup_console()
    quiet_upstream_noise()
    distributed.quiet_other_ranks()
    project, target = preflight(resolved, overwrite)
    ctx = RunContext(resolved=resolved, project=project, logger=logger, log_buffer=logs.start_buffer())
    for line in resolved.warnings:
        logs.file_only(line)  # already printed on the console by the CLI; kept for training.log
    try:
        result: RunResult = resolved.task.run(ctx)
        if not distributed.is_main():
            return project.path
        finish(ctx, result)
        if target is not None:
            logger.info(f"Pushing to the Hub: {target[0]}")
            logger.info(f"Pushed: {push(project.path, *target)}")
    finally:
        if ctx.log_handler is not None:
            logs.detach(ctx.log_handler)
        if ctx.log_buffer is not None:  # the run failed before the folder was claimed: drop, write nothing
            logger.removeHandler(ctx.log_buffer)
            ctx.log_buffer.close()
    return project.path


def finish(ctx: RunContext, result: RunResult) -> None:
    params = ctx.params
    ctx.project.write_metrics(result.metrics)
    card = render_card(
        title=Path(params.project_name).name,
        base_model=params.model,
        task=ctx.resolved.task.name,
        trainer=ctx.resolved.trainer,
        data=result.data_description,
        params=params.public_dict(),
        metrics=result.metrics.get("final", result.metrics),
        notes=[*ctx.resolved.warnings, *result.notes],  # ignored settings are part of the record
        library=result.library,
    )
    (ctx.project.path / CARD_FILE).write_text(card)
    ctx.logger.info(f"Model saved to {ctx.project.path.resolve()}")
