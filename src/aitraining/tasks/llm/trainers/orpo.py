"""orpo: Odds Ratio Preference Optimization, reference-free (TRL experimental ORPOTrainer)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from aitraining.engine.args import training_kwargs
from aitraining.engine.logs import get_logger, use_loss_lines
from aitraining.engine.upstream import trainer_tokenizer_kwargs
from aitraining.tasks.llm.trainers.common import Prepared, restore_lora_dropout
from aitraining.tasks.llm.trainers.preference import load_data, prepare
from aitraining.tasks.llm.upstream_trl import orpo_classes

if TYPE_CHECKING:
    from aitraining.tasks.llm.params import LLMParams

__all__ = ["build_trainer", "load_data", "prepare"]


def build_trainer(model: Any, tokenizer: Any, prepared: Prepared, params: LLMParams, project: Path) -> Any:
    # --model-ref is declared `ignored_by` orpo (tasks/llm/params.py): it warned at resolve time.
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
    restore_lora_dropout(trainer.model, params, get_logger())
    return use_loss_lines(trainer)
