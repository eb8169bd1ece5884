"""`aitraining llm`: validate inputs, load, train with the chosen trainer, save."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aitraining.engine import distributed, timings
from aitraining.engine.best import best_summary, evaluation_at, keeps_best
from aitraining.engine.guard import guarded_train
from aitraining.engine.hardware import check_flash_attention, check_mixed_precision, check_quantization
from aitraining.engine.models import merge_adapter
from aitraining.engine.runner import RunContext, RunResult
from aitraining.features import distillation, evaluation
from aitraining.tasks.llm import models
from aitraining.tasks.llm.auto_convert import attach_converted_saver
from aitraining.tasks.llm.trainers import TrainerSpec, trainer_spec
from aitraining.tasks.llm.trainers.common import Prepared

if TYPE_CHECKING:
    from logging import Logger
    from pathlib import Path

    from aitraining.features.evaluation.run import Plan
    from aitraining.tasks.llm.params import LLMParams


def check_hardware(params: LLMParams) -> None:
    check_mixed_precision(params.mixed_precision)
    check_quantization(params.quantization)
    check_flash_attention(params.use_flash_attention_2)
    keeps_best(params, params.eval_strategy if params.valid_split else "no")  # checkpoint/evaluation alignment


def final_metrics(trainer: Any, train_output: Any, has_eval: bool, *, perplexity: bool = False) -> dict[str, Any]:
    """Final train/eval numbers and the loss history; `perplexity` adds exp(eval_loss), which only
    means something when eval_loss is a token-level language-model loss (generic, sft)."""
    final = {"train_loss": train_output.training_loss, "train_steps": train_output.global_step}
    final.update({k: v for k, v in train_output.metrics.items() if k.startswith("train_")})
    best = best_summary(trainer)
    if has_eval:
        kept = evaluation_at(trainer.state, best["step"]) if best else last_evaluation(trainer.state)
        evaluation = kept or trainer.evaluate()
        final.update(evaluation)
        if perplexity and "eval_loss" in evaluation:
            final["eval_perplexity"] = math.exp(min(evaluation["eval_loss"], 50))
    history = [entry for entry in trainer.state.log_history if "loss" in entry or "eval_loss" in entry]
    return {"final": final, "history": history, "best": best}


def last_evaluation(state: Any) -> dict[str, Any] | None:
    """The evaluation the Trainer already ran at the final step, so it is not repeated."""
    evals = [e for e in state.log_history if "eval_loss" in e]
    if evals and evals[-1].get("step") == state.global_step:
        return {k: v for k, v in evals[-1].items() if k.startswith("eval_") or k == "epoch"}
    return None


def describe_rows(data: Any, params: LLMParams) -> str:
    """'data/ (120 rows in split train, 20 in split valid)' for the card."""
    loaded = getattr(data, "loaded", data)  # sft and preference trainers wrap the LoadedData
    train, valid = getattr(loaded, "train", None), getattr(loaded, "valid", None)
    if train is None:
        return str(data.source)
    rows = f"{len(train)} rows in split {params.train_split}"
    return f"{data.source} ({rows}" + (f", {len(valid)} in split {params.valid_split})" if valid is not None else ")")


@dataclass
class Built:
    """A trainer ready to train, and what was made on the way (the card and the save need them)."""

    spec: TrainerSpec
    source: str  # the data's description
    tokenizer: Any
    prepared: Prepared
    trainer: Any
    evaluation: Plan | None = (
        None  # the enhanced-evaluation plan (rows and benchmarks checked), with --use-enhanced-eval
    )


def build(params: LLMParams, logger: Logger, project: Path) -> Built:
    """Everything up to `trainer.train()`, writing nothing to `project`."""
    spec = trainer_spec(params.trainer)
    module = spec.load()
    # Order matters: data, tokenizer, templates and every row are checked before the weights load.
    with distributed.main_process_first():  # rank 0 loads and tokenises (and caches) first
        data = module.load_data(params, logger)
        plan = evaluation.plan(params, logger, data) if params.use_enhanced_eval else None  # checked before training
        tokenizer = models.load_tokenizer(params.model or "", logger)
        if params.padding:  # AutoTrain's `padding`: the side the collator pads on, saved with the tokenizer
            tokenizer.padding_side = params.padding
            tokenizer.init_kwargs["padding_side"] = params.padding  # what save_pretrained writes
        teacher = distillation.check_teacher(params, tokenizer, logger) if params.use_distillation else None
        with timings.phase("preprocess"):
            prepared = module.prepare(data, params, tokenizer, models.load_config(params.model or ""), logger)
            if teacher is not None:  # --student-prompt-template renders the student's own data too
                prepared = distillation.render_student_data(prepared, tokenizer, params, logger)
    model = models.load_model(params, tokenizer, spec.model_kind)
    spec.import_upstream()  # start-up, not preprocessing
    with timings.phase("preprocess"):  # TRL trainers tokenise (and DPO loads its reference model) when built
        trainer = module.build_trainer(model, tokenizer, prepared, params, project)
    if teacher is not None:  # a feature wrapping the built trainer; the trainer modules know nothing of it
        trainer = distillation.attach(trainer, teacher, tokenizer, params, logger)
    return Built(spec, describe_rows(data, params), tokenizer, prepared, trainer, plan)


def run(ctx: RunContext) -> RunResult:
    params, logger = ctx.params, ctx.logger
    check_hardware(params)
    built = build(params, logger, ctx.project.path)
    trainer, prepared = built.trainer, built.prepared
    attach_converted_saver(trainer, prepared.converted, ctx.project.path)
    ctx.claim_project()  # only now, with the trainer built, is the project folder touched
    train_output = guarded_train(trainer, ctx)
    metrics = final_metrics(trainer, train_output, prepared.valid is not None, perplexity=built.spec.perplexity)
    saved = save(trainer, built.tokenizer, params, ctx.project.path, logger)
    if params.use_distillation:
        metrics["teacher"] = distillation.teacher_fingerprint(params)
    result = RunResult(metrics={**metrics, "saved": saved}, data_description=built.source, notes=prepared.notes)
    if built.evaluation is not None and distributed.is_main():  # the saved model, base vs trained
        evaluation.evaluate(built.evaluation, params, ctx.project.path, logger).add_to(result)
    return result


def save(trainer: Any, tokenizer: Any, params: LLMParams, project: Path, logger: Logger) -> dict[str, str]:
    """Rank 0 saves (DDP keeps a full copy per process); fsdp/deepspeed save with every rank."""
    saved: dict[str, str] = {}
    if distributed.sharded(params):
        saved = distributed.save_sharded(trainer, tokenizer, params, project, merge_adapter)
    elif distributed.is_main():
        saved = models.save_trained(trainer.model, tokenizer, params, project, logger)
    distributed.barrier()
    return saved
