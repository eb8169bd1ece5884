"""reward: train a scorer (sequence classifier, one output) on chosen vs rejected texts (TRL RewardTrainer)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aitraining.engine.args import training_kwargs
from aitraining.engine.logs import get_logger, use_loss_lines
from aitraining.engine.upstream import trainer_tokenizer_kwargs
from aitraining.tasks.llm.trainers.common import Prepared, restore_lora_dropout
from aitraining.tasks.llm.trainers.preference import load_data
from aitraining.tasks.llm.trainers.preference import prepare as prepare_pairs

if TYPE_CHECKING:
    from aitraining.tasks.llm.params import LLMParams

__all__ = ["SCORER_NOTE", "build_trainer", "load_data", "prepare"]

SCORER_NOTE = (
    "This is a reward model (AutoModelForSequenceClassification with one output): it returns one score per "
    "text and cannot generate text. Use it with --trainer ppo --rl-reward-model-path <this folder>."
)


def _full_texts(batch: dict[str, list]) -> dict[str, list]:
    return {
        "chosen_ids": [p + c for p, c in zip(batch["prompt_ids"], batch["chosen_ids"], strict=True)],
        "rejected_ids": [p + r for p, r in zip(batch["prompt_ids"], batch["rejected_ids"], strict=True)],
    }


def prepare(data: Any, params: LLMParams, tokenizer: Any, model_config: Any, logger: Any) -> Prepared:
    pairs = prepare_pairs(data, params, tokenizer, model_config, logger)
    train = pairs.train.map(_full_texts, batched=True, remove_columns=["prompt_ids"])
    valid = pairs.valid.map(_full_texts, batched=True, remove_columns=["prompt_ids"]) if pairs.valid else None
    logger.info(SCORER_NOTE)
    return replace(pairs, train=train, valid=valid, notes=[*pairs.notes, SCORER_NOTE])


def build_trainer(model: Any, tokenizer: Any, prepared: Prepared, params: LLMParams, project: Path) -> Any:
    from trl import RewardConfig, RewardTrainer

    args = RewardConfig(
        **training_kwargs(params, project, has_eval=prepared.valid is not None),
        max_length=None,  # rows are already truncated (and reported); TRL would drop longer ones
    )
    trainer = RewardTrainer(
        model=model,
        args=args,
        train_dataset=prepared.train,
        eval_dataset=prepared.valid,
        **trainer_tokenizer_kwargs(tokenizer),
    )
    restore_lora_dropout(trainer.model, params, get_logger())  # TRL's disable_dropout zeroed it
    return use_loss_lines(trainer)
