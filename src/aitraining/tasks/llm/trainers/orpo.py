"""orpo: Odds Ratio Preference Optimization, reference-free (TRL experimental ORPOTrainer)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aitraining.engine.args import training_kwargs
from aitraining.engine.logs import get_logger, use_loss_lines
from aitraining.engine.upstream import trainer_tokenizer_kwargs
from aitraining.tasks.llm.trainers.common import Prepared
from aitraining.tasks.llm.trainers.preference import load_data, prepare
from aitraining.tasks.llm.upstream_trl import orpo_classes

__all__ = ["build_trainer", "load_data", "prepare"]

NO_REFERENCE = "ORPO is reference-free: --model-ref {ref} is not used (it only matters for --trainer dpo)."


def build_trainer(model: Any, tokenizer: Any, prepared: Prepared, params: Any, project: Path) -> Any:
    if params.model_ref:
        note = NO_REFERENCE.format(ref=params.model_ref)
        get_logger().warning(note)
        prepared.notes.append(note)
    config_cls, trainer_cls = orpo_classes()
    args = config_cls(
        **training_kwargs(params, project, has_eval=prepared.valid is not None),
        max_length=prepared.max_length,
    )
    trainer = trainer_cls(
        model=model,
        args=args,
        train_dataset=prepared.train,
        eval_dataset=prepared.valid,
        **trainer_tokenizer_kwargs(tokenizer),
    )
    return use_loss_lines(trainer)
