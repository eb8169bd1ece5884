"""Data loading and preparation shared by the preference trainers (dpo, orpo, reward)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aitraining.data.chat_templates import TemplateChoice, apply_chat_template_choice, check_pad_token
from aitraining.data.convert import Converted
from aitraining.data.loading import LoadedData
from aitraining.tasks.llm import prep_pref
from aitraining.tasks.llm.auto_convert import convert_loaded
from aitraining.tasks.llm.lengths import effective_block_size
from aitraining.tasks.llm.prompt_rule import announce, rule_for
from aitraining.tasks.llm.trainers.common import Prepared, load_checked

if TYPE_CHECKING:
    from aitraining.tasks.llm.params import LLMParams

CONVERTED_COLUMNS = {"prompt": "prompt", "chosen": "chosen", "rejected": "rejected"}
CONVENTIONAL_PROMPT = "prompt"


@dataclass
class PrefData:
    loaded: LoadedData
    columns: dict[str, str | None]  # prompt / chosen / rejected -> column
    converted: Converted | None = None

    @property
    def train(self) -> Any:
        return self.loaded.train

    @property
    def valid(self) -> Any:
        return self.loaded.valid

    @property
    def source(self) -> str:
        return self.loaded.source


@dataclass
class PrefPrepared(Prepared):
    """What training needs, plus what the data preview shows and the converted data."""

    reports: list[prep_pref.PrefReport] = field(default_factory=list)
    template: TemplateChoice | None = None
    converted: Converted | None = None


def columns(params: LLMParams, present: list[str]) -> dict[str, str | None]:
    """Which column holds prompt, chosen and rejected.

    --prompt-text-column names the prompt for dpo, orpo and reward. Without it, reward follows TRL's
    convention: a column named 'prompt' is the prompt (announced), and chat-format chosen/rejected may
    carry the prompt turns themselves.
    """
    prompt = params.prompt_text_column
    if prompt is None and params.canonical_trainer() == "reward":
        prompt = CONVENTIONAL_PROMPT if CONVENTIONAL_PROMPT in present else None
    return {"prompt": prompt, "chosen": params.text_column, "rejected": params.rejected_text_column}


def load_data(params: LLMParams, logger: Any) -> PrefData:
    if params.auto_convert_dataset:
        loaded, converted = convert_loaded(load_checked(params, {}), params, "preference", logger)
        cols = {**CONVERTED_COLUMNS, "prompt": "prompt" if "prompt" in loaded.train.column_names else None}
        return PrefData(loaded, cols, converted)
    # LLMParams.check() has made sure --rejected-text-column is set for dpo, orpo and reward
    wanted = {"text_column": params.text_column, "rejected_text_column": params.rejected_text_column or ""}
    if params.prompt_text_column:
        wanted["prompt_text_column"] = params.prompt_text_column
    data = load_checked(params, wanted)
    cols = columns(params, data.train.column_names)
    if params.canonical_trainer() == "reward":
        where = f"column '{cols['prompt']}'" if cols["prompt"] else "none (chosen/rejected are scored as they are)"
        logger.info(f"reward: prompt taken from {where}.")
    return PrefData(data, cols)


def no_prompt_warning(data: PrefData, params: LLMParams, tokenizer: Any) -> str | None:
    """Reward pairs without a prompt are scored as lone assistant replies under the chat rule; PPO will
    score prompt + reply, so the reward model would judge a format it never saw."""
    if params.canonical_trainer() != "reward" or data.columns.get("prompt") or not rule_for(tokenizer).chat:
        return None
    return (
        "Warning: the reward pairs have no prompt column, so under the chat template each chosen/rejected text "
        "is scored as an assistant reply with no user turn, while PPO scores prompt + reply. Pass "
        "--prompt-text-column (or --chat-template none for raw text on both sides)."
    )


def prepare(data: PrefData, params: LLMParams, tokenizer: Any, model_config: Any, logger: Any) -> PrefPrepared:
    choice = apply_chat_template_choice(params.chat_template, tokenizer, model_config, params.model, logger)
    check_pad_token(tokenizer, choice.stop_ids, logger)
    rule = announce(tokenizer, logger)
    warning = no_prompt_warning(data, params, tokenizer)
    if warning:
        logger.warning(warning)
    total = effective_block_size(params, tokenizer, model_config, logger)
    uses_lengths = params.canonical_trainer() in ("dpo", "orpo")
    limits = prep_pref.PrefLimits(
        prompt=params.max_prompt_length if uses_lengths else None,
        completion=params.max_completion_length if uses_lengths else None,
        total=total,
    )
    cols, stops = data.columns, choice.stop_ids
    train, report = prep_pref.prepare(
        data.train, cols, tokenizer, limits, "train", data.source, stops, workers=params.num_workers
    )
    reports = [report]
    valid = None
    if data.valid is not None:
        valid, vreport = prep_pref.prepare(
            data.valid, cols, tokenizer, limits, "valid", data.source, stops, workers=params.num_workers
        )
        reports.append(vreport)
    notes = [r.message(limits) for r in reports]
    for note in notes:
        logger.info(note)
    notes = [rule.describe(), *([warning] if warning else []), *notes]
    return PrefPrepared(
        train, valid, notes, max_length=total, reports=reports, template=choice, converted=data.converted
    )
