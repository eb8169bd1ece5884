"""sft: supervised fine-tuning on text, prompt-completion or chat data (TRL SFTTrainer)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aitraining.data.chat_templates import TemplateChoice, apply_chat_template_choice, check_pad_token
from aitraining.data.convert import Converted
from aitraining.data.loading import LoadedData
from aitraining.engine.args import training_kwargs
from aitraining.engine.logs import use_loss_lines
from aitraining.engine.upstream import trainer_tokenizer_kwargs
from aitraining.tasks.llm import prep_sft
from aitraining.tasks.llm.auto_convert import convert_loaded
from aitraining.tasks.llm.lengths import effective_block_size
from aitraining.tasks.llm.prompt_rule import announce
from aitraining.tasks.llm.trainers.common import Prepared, load_checked

if TYPE_CHECKING:
    from aitraining.tasks.llm.params import LLMParams

CONVERTED_FORMATS = {"conversation": ("chat", "messages"), "text": ("text", "text")}


@dataclass
class SftData:
    loaded: LoadedData
    format: tuple[str, str]  # (kind, column)
    converted: Converted | None = None

    @property
    def source(self) -> str:
        return self.loaded.source


@dataclass
class SftPrepared(Prepared):
    """What training needs, plus what the data preview shows (reports, template) and the converted data."""

    reports: list[prep_sft.SftReport] = field(default_factory=list)
    template: TemplateChoice | None = None
    converted: Converted | None = None
    format: tuple[str, str] = ("text", "text")


def load_data(params: LLMParams, logger: Any) -> Any:
    data = load_checked(params, {})
    if params.auto_convert_dataset:
        loaded, converted = convert_loaded(data, params, "sft", logger)
        return SftData(loaded, CONVERTED_FORMATS[converted.target], converted)
    fmt = prep_sft.detect_format(data.train, params.text_column, f"the {params.train_split} split of {data.source}")
    logger.info(f"sft data format: {fmt[0].replace('_', '-')} (column '{fmt[1]}')")
    return SftData(data, fmt)


def prepare(data: SftData, params: LLMParams, tokenizer: Any, model_config: Any, logger: Any) -> SftPrepared:
    choice = apply_chat_template_choice(params.chat_template, tokenizer, model_config, params.model, logger)
    prep_sft.check_template(data.format[0], params, tokenizer, logger)
    check_pad_token(tokenizer, choice.stop_ids, logger)
    rule = announce(tokenizer, logger)
    loss = prep_sft.loss_note(data.format[0], params)
    logger.info(loss)
    limit = effective_block_size(params, tokenizer, model_config, logger)
    loaded, stops = data.loaded, choice.stop_ids
    split_args = (data.format, params, tokenizer, limit)
    train, report = prep_sft.prepare(loaded.train, *split_args, "train", loaded.source, stops)
    reports = [report]
    valid = None
    if loaded.valid is not None:
        valid, vreport = prep_sft.prepare(loaded.valid, *split_args, "valid", loaded.source, stops)
        reports.append(vreport)
    notes = [r.message(limit) for r in reports]
    for note in notes:
        logger.info(note)
    return SftPrepared(
        train,
        valid,
        [rule.describe(), loss, *notes],
        max_length=limit,
        reports=reports,
        template=choice,
        converted=data.converted,
        format=data.format,
    )


def build_trainer(model: Any, tokenizer: Any, prepared: Prepared, params: LLMParams, project: Path) -> Any:
    from trl import SFTConfig, SFTTrainer

    kwargs = training_kwargs(params, project, has_eval=prepared.valid is not None)
    args = SFTConfig(
        **kwargs,
        max_length=prepared.max_length,
        packing=params.packing,
        # bfd packing is padding-free: per-example position_ids, so packed examples never attend to each
        # other (tests/llm/test_packing_isolation.py); "wrapped" would let them.
        packing_strategy="bfd",
    )
    trainer = SFTTrainer(
        model=model,
        args=args,
        train_dataset=prepared.train,
        eval_dataset=prepared.valid,
        **trainer_tokenizer_kwargs(tokenizer),
    )
    return use_loss_lines(trainer)
