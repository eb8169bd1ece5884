"""sft: supervised fine-tuning on text, prompt-completion or chat data (TRL SFTTrainer)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aitraining.data.chat_templates import resolve_chat_template
from aitraining.data.loading import LoadedData
from aitraining.engine.args import training_kwargs
from aitraining.engine.logs import use_loss_lines
from aitraining.engine.upstream import trainer_tokenizer_kwargs
from aitraining.tasks.llm import prep_sft
from aitraining.tasks.llm.lengths import effective_block_size
from aitraining.tasks.llm.trainers.common import Prepared, load_checked


@dataclass
class SftData:
    loaded: LoadedData
    format: tuple[str, str]  # (kind, column)

    @property
    def source(self) -> str:
        return self.loaded.source


def load_data(params: Any, logger: Any) -> Any:
    data = load_checked(params, {})
    fmt = prep_sft.detect_format(data.train, params.text_column, f"the {params.train_split} split of {data.source}")
    logger.info(f"sft data format: {fmt[0].replace('_', '-')} (column '{fmt[1]}')")
    return SftData(data, fmt)


def prepare(data: Any, params: Any, tokenizer: Any, model_config: Any, logger: Any) -> Prepared:
    tokenizer.chat_template = resolve_chat_template(params.chat_template, tokenizer)
    prep_sft.check_template(data.format[0], params, tokenizer, logger)
    limit = effective_block_size(params, tokenizer, model_config, logger)
    loaded = data.loaded
    train, report = prep_sft.prepare(loaded.train, data.format, params, tokenizer, limit, "train", loaded.source)
    notes = [report.message(limit)]
    valid = None
    if loaded.valid is not None:
        valid, vreport = prep_sft.prepare(loaded.valid, data.format, params, tokenizer, limit, "valid", loaded.source)
        notes.append(vreport.message(limit))
    for note in notes:
        logger.info(note)
    return Prepared(train, valid, notes, max_length=limit)


def build_trainer(model: Any, tokenizer: Any, prepared: Prepared, params: Any, project: Path) -> Any:
    from trl import SFTConfig, SFTTrainer

    kwargs = training_kwargs(params, project, has_eval=prepared.valid is not None)
    args = SFTConfig(
        **kwargs,
        max_length=prepared.max_length,
        packing=params.packing,
    )
    trainer = SFTTrainer(
        model=model,
        args=args,
        train_dataset=prepared.train,
        eval_dataset=prepared.valid,
        **trainer_tokenizer_kwargs(tokenizer),
    )
    return use_loss_lines(trainer)
