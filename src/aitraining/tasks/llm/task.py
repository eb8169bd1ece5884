"""`aitraining llm`: validate inputs, load, train with the chosen trainer, save."""

from __future__ import annotations

import math
from typing import Any

from aitraining.engine.hardware import check_flash_attention, check_mixed_precision, check_quantization
from aitraining.engine.runner import RunContext, RunResult
from aitraining.tasks.llm import models
from aitraining.tasks.llm.trainers import TRAINER_MODULES


def check_hardware(params: Any) -> None:
    check_mixed_precision(params.mixed_precision)
    check_quantization(params.quantization)
    check_flash_attention(params.use_flash_attention_2)


def final_metrics(trainer: Any, train_output: Any, has_eval: bool, *, perplexity: bool = True) -> dict[str, Any]:
    final = {"train_loss": train_output.training_loss, "train_steps": train_output.global_step}
    final.update({k: v for k, v in train_output.metrics.items() if k.startswith("train_")})
    if has_eval:
        evaluation = trainer.evaluate()
        final.update(evaluation)
        if perplexity and "eval_loss" in evaluation:
            final["eval_perplexity"] = math.exp(min(evaluation["eval_loss"], 50))
    history = [entry for entry in trainer.state.log_history if "loss" in entry or "eval_loss" in entry]
    return {"final": final, "history": history}


def run(ctx: RunContext) -> RunResult:
    params, logger = ctx.params, ctx.logger
    check_hardware(params)
    module = TRAINER_MODULES[ctx.resolved.trainer]
    data = module.load_data(params, logger)  # columns and rows checked before any model is loaded
    tokenizer = models.load_tokenizer(params.model, logger)
    model = models.load_model(params, tokenizer, getattr(module, "MODEL_KIND", "causal"))
    prepared = module.prepare(data, params, tokenizer, model.config, logger)
    ctx.claim_project()
    trainer = module.build_trainer(model, tokenizer, prepared, params, ctx.project.path)
    train_output = trainer.train()
    kind = getattr(module, "MODEL_KIND", "causal")
    metrics = final_metrics(trainer, train_output, prepared.valid is not None, perplexity=kind == "causal")
    saved = models.save_trained(trainer.model, tokenizer, params, ctx.project.path, logger)
    return RunResult(
        metrics={**metrics, "saved": saved},
        data_description=data.source,
        notes=prepared.notes,
    )
