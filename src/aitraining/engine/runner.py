"""Run one training: checks before any heavy work, then the task, then artefacts and the push."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aitraining.config import Resolved
from aitraining.engine import distributed, logs, timings
from aitraining.engine.card import CardInput, render_card
from aitraining.engine.fingerprint import run_fingerprint
from aitraining.engine.hub import hub_target, push
from aitraining.engine.plots import write_training_plots
from aitraining.engine.project import CARD_FILE, LOG_FILE, Project
from aitraining.engine.resume import plan_resume
from aitraining.engine.usage import KINDS, saved_kind, usage_snippet
from aitraining.errors import AitrainingError, NotAvailableError, ParamError
from aitraining.params.autotrain import backend_unavailable_message
from aitraining.params.compat import not_applied
from aitraining.params.groups import CoreParams, ResumeParams

NOT_APPLIED_KEY = "_not_applied"  # in training_params.json: {parameter: why it did not act on this run}


@dataclass
class RunResult:
    """What a task hands back for the card and the metrics file."""

    metrics: dict[str, Any]
    data_description: str
    notes: list[str] = field(default_factory=list)
    library: str = "transformers"
    pipeline_tag: str | None = None  # for what engine.usage cannot tell from the saved files (tabular)
    plots: list[str] = field(default_factory=list)  # pictures the task wrote itself, for the card
    usage: str | None = None  # the card's snippet when engine.usage cannot write it (joblib pipelines)
    card_sections: list[str] = field(default_factory=list)  # markdown a feature adds to the card (evaluation)
    failure: AitrainingError | None = None  # raised once the card and metrics.json are written (a refused evaluation)


@dataclass
class RunContext:
    resolved: Resolved
    project: Project
    logger: Any
    log_handler: Any = None
    log_buffer: Any = None
    fingerprint: dict[str, Any] = field(default_factory=dict)  # stored in each checkpoint's manifest
    resume_from: Path | None = None  # the checkpoint this run continues, chosen before any loading

    @property
    def params(self) -> Any:
        return self.resolved.params

    def claim_project(self) -> None:
        """Called by the task once data and model are loaded: only now is the folder touched (by rank 0)."""
        if distributed.is_main():
            self.project.claim()
            self.log_handler = logs.attach_file(self.project.path / LOG_FILE, self.log_buffer)
            self.log_buffer = None
            unused = not_applied(self.params, self.resolved.trainer, self.resolved.task.trainers)
            self.project.write_params({**self.params.public_dict(), NOT_APPLIED_KEY: unused})
        distributed.barrier()


def preflight(resolved: Resolved, overwrite: bool) -> tuple[Project, tuple[str, str] | None]:
    params = resolved.params
    unavailable = backend_unavailable_message(params.backend)
    if unavailable:
        raise NotAvailableError(unavailable)
    if getattr(params, "push_to_hub", False) and resolved.unset_env:
        name, variable = next(iter(resolved.unset_env.items()))
        raise ParamError(
            f"push_to_hub is on but the config file's hub.{name} refers to ${{{variable}}}, which is not set: "
            f"export {variable}=... before running, or set push_to_hub: false to train without pushing."
        )
    if not params.model:
        raise ParamError(f"--model is required for 'aitraining {resolved.task.name}' (a local folder or hub id).")
    if not params.data_path:
        raise ParamError(f"--data-path is required for 'aitraining {resolved.task.name}'.")
    if getattr(params, "log", "none") == "wandb":
        check_wandb()
    resume = bool(getattr(params, "resume_from_checkpoint", None))
    project = Project(Path(params.project_name), overwrite=overwrite, task=resolved.task.name, resume=resume)
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
    """Hide upstream deprecation chatter about upstream's own internals and its progress bars (dataset maps,
    weight loading); our own warnings and the one training progress bar stay."""
    import warnings

    warnings.filterwarnings("ignore", message=r".*deprecated and will be removed in v6.*", category=FutureWarning)
    from datasets.utils.logging import disable_progress_bar
    from transformers.utils import logging as transformers_logging

    disable_progress_bar()
    transformers_logging.disable_progress_bar()  # weight-loading bars: the training bar is the one we show


def run_training(resolved: Resolved, *, overwrite: bool = False) -> Path:
    timings.start_run()
    logger = logs.setup_console()
    quiet_upstream_noise()
    distributed.quiet_other_ranks()
    project, target = preflight(resolved, overwrite)
    ctx = RunContext(resolved=resolved, project=project, logger=logger, log_buffer=logs.start_buffer())
    for line in resolved.warnings:
        logs.file_only(line)  # already printed on the console by the CLI; kept for training.log
    try:
        ctx.fingerprint = run_fingerprint(resolved.params, resolved.task.name, resolved.trainer)
        ctx.resume_from = plan_resume(project, resumable(resolved.params), ctx.fingerprint, logger.info)
        result: RunResult = resolved.task.run(ctx)
        if not distributed.is_main():
            return project.path
        finish(ctx, result, target[0] if target else None)
        if result.failure is not None:
            raise result.failure
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


def resumable(params: CoreParams) -> ResumeParams:
    """Every training command's params carry the resume group (a test checks the registry)."""
    assert isinstance(params, ResumeParams), type(params).__name__
    return params


def finish(ctx: RunContext, result: RunResult, repo_id: str | None = None) -> None:
    """metrics.json, the pictures and the model card; `repo_id` (when pushing) is what the card loads."""
    params, project = ctx.params, ctx.project.path
    spent = timings.report()  # start-up, preprocessing and training-loop seconds (bench/ reads them)
    ctx.project.write_metrics({**result.metrics, **({"timings": spent} if spent else {})})
    history, best = result.metrics.get("history") or [], result.metrics.get("best")
    plots = write_training_plots(project, history, best) + result.plots
    kind = saved_kind(project)
    pipeline_tag, library = KINDS.get(kind or "", (result.pipeline_tag, result.library))
    metas = type(params).param_metas()
    unused = not_applied(params, ctx.resolved.trainer, ctx.resolved.task.trainers)
    public = params.public_dict()
    applied = {k: (v, metas[k].default) for k, v in public.items() if k not in unused}
    card = CardInput(
        title=Path(params.project_name).name,
        command=ctx.resolved.task.name,
        trainer=ctx.resolved.trainer,
        base_model=str(params.model),
        library=library,
        pipeline_tag=pipeline_tag,
        data_path=str(params.data_path),
        data_description=result.data_description,
        applied=applied,
        not_applied=unused,
        columns={k: v for k, (v, _) in applied.items() if k.endswith(("_column", "_columns")) and v},
        final=result.metrics.get("final", {}),
        best=best,
        plots=plots,
        usage=usage_snippet(kind, repo_id or str(params.project_name), project) or result.usage,
        notes=[*ctx.resolved.warnings, *result.notes],  # ignored settings are part of the record
        best_selection="history" in result.metrics,
        sections=result.card_sections,
    )
    (project / CARD_FILE).write_text(render_card(card))
    if plots:
        ctx.logger.info(f"Plots: {', '.join(str(project / p) for p in plots)}")
    ctx.logger.info(f"Model saved to {project.resolve()}")
