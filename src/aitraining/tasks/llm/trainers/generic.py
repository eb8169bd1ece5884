"""generic (alias default): causal LM on packed blocks of a text column."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from aitraining.engine.args import training_kwargs
from aitraining.engine.logs import use_loss_lines
from aitraining.engine.upstream import trainer_tokenizer_kwargs
from aitraining.errors import DataError
from aitraining.tasks.llm import prep_generic
from aitraining.tasks.llm.lengths import effective_block_size
from aitraining.tasks.llm.prompt_rule import GENERIC_RULE
from aitraining.tasks.llm.trainers.common import Prepared, load_checked

if TYPE_CHECKING:
    from aitraining.tasks.llm.params import LLMParams


def load_data(params: LLMParams, logger: Any) -> Any:
    data = load_checked(params, {"text_column": params.text_column})
    first = data.train[0][params.text_column]
    if not isinstance(first, str):
        raise DataError(
            f"Column '{params.text_column}' of {data.source} holds {type(first).__name__} values, but the "
            "generic trainer trains on plain text. For chat messages or prompt/completion data use --trainer sft."
        )
    return data


def prepare(data: Any, params: LLMParams, tokenizer: Any, model_config: Any, logger: Any) -> Prepared:
    block = effective_block_size(params, tokenizer, model_config, logger)
    train = prep_generic.prepare(data.train, params, tokenizer, block)
    valid = prep_generic.prepare(data.valid, params, tokenizer, block) if data.valid is not None else None
    note = f"Packed {len(data.train)} training documents into {len(train)} blocks of {block} tokens."
    if valid is not None:
        note += f" Validation: {len(data.valid)} documents, {len(valid)} blocks."
    logger.info(GENERIC_RULE)
    logger.info(note)
    return Prepared(train, valid, [GENERIC_RULE, note])


def build_trainer(model: Any, tokenizer: Any, prepared: Prepared, params: LLMParams, project: Path) -> Any:
    from transformers import Trainer, TrainingArguments, default_data_collator

    args = TrainingArguments(**training_kwargs(params, project, has_eval=prepared.valid is not None))
    trainer = Trainer(
        model=model,
        args=args,
        train_dataset=prepared.train,
        eval_dataset=prepared.valid,
        data_collator=default_data_collator,
        **trainer_tokenizer_kwargs(tokenizer),
    )
    return use_loss_lines(trainer)
