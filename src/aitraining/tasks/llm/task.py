"""`aitraining llm`: validate inputs, load, train with the chosen trainer, save."""

from __future__ import annotations

import math
from typing import Any

from aitraining.engine.guard import guarded_train, seed_model_init
from aitraining.engine.hardware import check_flash_attention, check_mixed_precision, check_quantization
from aitraining.engine.runner import RunContext, RunResult
from aitraining.tasks.llm import models
from aitraining.tasks.llm.auto_convert import attach_converted_saver
from aitraining.tasks.llm.trainers import TRAINER_MODULES


def check_hardware(params: Any) -> None:
    check_mixed_precision(params.mixed_precision)
    check_quantization(params.quantization)
    check_flash_attention(params.use_flash_attention_2)


def final_metrics(trainer: Any, train_output: Any, has_eval: bool, *, perplexity: bool = True) -> dict[str, Any]:
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


def run(ctx: RunContext) -> RunResult:
    params, logger = ctx.params, ctx.logger
    check_hardware(params)
    module = TRAINER_MODULES[ctx.resolved.trainer]
    kind = getattr(module, "MODEL_KIND", "causal")
    # Order matters: data, tokenizer, templates and every row are checked before the weights load,
    # and the project folder is touched only once the trainer is built.
    data = module.load_data(params, logger)
    tokenizer = models.load_tokenizer(params.model, logger)
    prepared = module.prepare(data, params, tokenizer, models.load_config(params.model), logger)
    seed_model_init(params.seed)
    model = models.load_model(params, tokenizer, kind)
    trainer = module.build_trainer(model, tokenizer, prepared, params, ctx.project.path)
    attach_converted_saver(trainer, getattr(prepared, "converted", None), ctx.project.path)
    ctx.claim_project()
    train_output = guarded_train(trainer, ctx)
    metrics = final_metrics(trainer, train_output, prepared.valid is not None, perplexity=kind == "causal")
    saved = models.save_trained(trainer.model, tokenizer, params, ctx.project.path, logger)
    return RunResult(
        metrics={**metrics, "saved": saved},
        data_description=data.source,
        notes=prepared.notes,
    )
