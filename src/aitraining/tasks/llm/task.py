"""`aitraining llm`: validate inputs, load, train with the chosen trainer, save."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aitraining.engine.hardware import check_flash_attention, check_mixed_precision, check_quantization
from aitraining.engine.runner import RunContext, RunResult
from aitraining.features import distillation
from aitraining.tasks.llm import models
from aitraining.tasks.llm.auto_convert import attach_converted_saver
from aitraining.tasks.llm.trainers import TrainerSpec, trainer_spec
from aitraining.tasks.llm.trainers.common import Prepared

if TYPE_CHECKING:
    from logging import Logger
    from pathlib import Path

    from aitraining.tasks.llm.params import LLMParams


def check_hardware(params: LLMParams) -> None:
    check_mixed_precision(params.mixed_precision)
    check_quantization(params.quantization)
    check_flash_attention(params.use_flash_attention_2)


def final_metrics(trainer: Any, train_output: Any, has_eval: bool, *, perplexity: bool = False) -> dict[str, Any]:
    """Final train/eval numbers and the loss history; `perplexity` adds exp(eval_loss), which only
    means something when eval_loss is a token-level language-model loss (generic, sft)."""
    final = {"train_loss": train_output.training_loss, "train_steps": train_output.global_step}
    final.update({k: v for k, v in train_output.metrics.items() if k.startswith("train_")})
    if has_eval:
        evaluation = last_evaluation(trainer.state) or trainer.evaluate()
        final.update(evaluation)
        if perplexity and "eval_loss" in evaluation:
            final["eval_perplexity"] = math.exp(min(evaluation["eval_loss"], 50))
    history = [entry for entry in trainer.state.log_history if "loss" in entry or "eval_loss" in entry]
    return {"final": final, "history": history}


def last_evaluation(state: Any) -> dict[str, Any] | None:
    """The evaluation the Trainer already ran at the final step, so it is not repeated."""
    evals = [e for e in state.log_history if "eval_loss" in e]
    if evals and evals[-1].get("step") == state.global_step:
        return {k: v for k, v in evals[-1].items() if k.startswith("eval_") or k == "epoch"}
    return None


@dataclass
class Built:
    """A trainer ready to train, and what was made on the way (the card and the save need them)."""

    spec: TrainerSpec
    source: str  # the data's description
    tokenizer: Any
    prepared: Prepared
    trainer: Any


def build(params: LLMParams, logger: Logger, project: Path) -> Built:
    """Everything up to `trainer.train()`, writing nothing to `project`."""
    spec = trainer_spec(params.trainer)
    module = spec.load()
    # Order matters: data, tokenizer, templates and every row are checked before the weights load.
    data = module.load_data(params, logger)
    tokenizer = models.load_tokenizer(params.model, logger)
    teacher = distillation.check_teacher(params, tokenizer, logger) if params.use_distillation else None
    prepared = module.prepare(data, params, tokenizer, models.load_config(params.model), logger)
    model = models.load_model(params, tokenizer, spec.model_kind)
    trainer = module.build_trainer(model, tokenizer, prepared, params, project)
    if teacher is not None:  # a feature wrapping the built trainer; the trainer modules know nothing of it
        trainer = distillation.attach(trainer, teacher, tokenizer, params, logger)
    return Built(spec, data.source, tokenizer, prepared, trainer)


def run(ctx: RunContext) -> RunResult:
    params, logger = ctx.params, ctx.logger
    check_hardware(params)
    built = build(params, logger, ctx.project.path)
    trainer, prepared = built.trainer, built.prepared
    attach_converted_saver(trainer, prepared.converted, ctx.project.path)
    ctx.claim_project()  # only now, with the trainer built, is the project folder touched
    train_output = trainer.train()
    metrics = final_metrics(trainer, train_output, prepared.valid is not None, perplexity=built.spec.perplexity)
    saved = models.save_trained(trainer.model, built.tokenizer, params, ctx.project.path, logger)
    if params.use_distillation:
        metrics["teacher"] = distillation.teacher_fingerprint(params)
    return RunResult(metrics={**metrics, "saved": saved}, data_description=built.source, notes=prepared.notes)
