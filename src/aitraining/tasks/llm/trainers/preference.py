"""Data loading and preparation shared by the preference trainers (dpo, orpo, reward)."""

from __future__ import annotations

from typing import Any

from aitraining.data.chat_templates import resolve_chat_template
from aitraining.tasks.llm import prep_pref
from aitraining.tasks.llm.lengths import effective_block_size
from aitraining.tasks.llm.trainers.common import Prepared, load_checked

CONVENTIONAL_PROMPT = "prompt"


def columns(params: Any, present: list[str]) -> dict[str, str | None]:
    """Which column holds prompt, chosen and rejected.

    The spec gives --prompt-text-column to dpo/orpo only; the reward trainer follows TRL's
    convention instead: a column named 'prompt' is the prompt (announced), and chat-format
    chosen/rejected may carry the prompt turns themselves.
    """
    if params.canonical_trainer() in ("dpo", "orpo"):
        prompt = params.prompt_text_column
    else:
        prompt = CONVENTIONAL_PROMPT if CONVENTIONAL_PROMPT in present else None
    return {"prompt": prompt, "chosen": params.text_column, "rejected": params.rejected_text_column}


def load_data(params: Any, logger: Any) -> Any:
    wanted = {"text_column": params.text_column, "rejected_text_column": params.rejected_text_column}
    if params.canonical_trainer() in ("dpo", "orpo"):
        wanted["prompt_text_column"] = params.prompt_text_column
    data = load_checked(params, wanted)
    if params.canonical_trainer() == "reward":
        prompt = columns(params, data.train.column_names)["prompt"]
        where = f"column '{prompt}'" if prompt else "none (chosen/rejected are scored as they are)"
        logger.info(f"reward: prompt taken from {where}.")
    return data


def prepare(data: Any, params: Any, tokenizer: Any, model_config: Any, logger: Any) -> Prepared:
    tokenizer.chat_template = resolve_chat_template(params.chat_template, tokenizer)
    total = effective_block_size(params, tokenizer, model_config, logger)
    uses_lengths = params.canonical_trainer() in ("dpo", "orpo")
    limits = prep_pref.PrefLimits(
        prompt=params.max_prompt_length if uses_lengths else None,
        completion=params.max_completion_length if uses_lengths else None,
        total=total,
    )
    cols = columns(params, data.train.column_names)
    train, report = prep_pref.prepare(data.train, cols, tokenizer, limits, "train", data.source)
    notes = [report.message(limits)]
    valid = None
    if data.valid is not None:
        valid, vreport = prep_pref.prepare(data.valid, cols, tokenizer, limits, "valid", data.source)
        notes.append(vreport.message(limits))
    for note in notes:
        logger.info(note)
    return Prepared(train, valid, notes, max_length=total)
