"""`--auto-convert-dataset` for the LLM trainers: params -> column overrides -> converted splits.

The converted data is saved into the project folder when training starts (the folder is only claimed
once the model has loaded), as `converted_data/<split>.jsonl` plus `conversion.json`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from aitraining.data.convert import Converted, convert_split, target_for
from aitraining.data.formats import ColumnOverrides, Detected, detect
from aitraining.data.loading import LoadedData
from aitraining.errors import DataError

if TYPE_CHECKING:
    from aitraining.tasks.llm.params import LLMParams

DEFAULT_TEXT_COLUMN = "text"
FLAGS = {
    "system": "--system-column",
    "user": "--user-column",
    "assistant": "--assistant-column",
    "prompt": "--prompt-text-column",
    "rejected": "--rejected-text-column",
    "chosen": "--text-column",
    "conversation": "--text-column",
}


def overrides_from(params: LLMParams, target: str) -> ColumnOverrides:
    """The columns the user named. --text-column counts only when changed from its default 'text'."""
    text = params.text_column if params.text_column != DEFAULT_TEXT_COLUMN else None
    if target == "preference":
        return ColumnOverrides(
            system=params.system_column,
            prompt=params.prompt_text_column,
            chosen=text,
            rejected=params.rejected_text_column,
            flags=FLAGS,
        )
    return ColumnOverrides(
        conversation=text,
        system=params.system_column,
        user=params.user_column,
        assistant=params.assistant_column,
        flags=FLAGS,
    )


def _check_valid_columns(valid: Any, detected: Detected, label: str) -> None:
    missing = [c for c in detected.columns.values() if c not in valid.column_names]
    if missing:
        raise DataError(
            f"The validation split lacks column(s) {', '.join(missing)} that the train split's format uses "
            f"({detected.describe()}). Columns of {label}: {', '.join(valid.column_names)}."
        )


def _summary(detected: Detected, converted: dict[str, Any], target: str, extension: int) -> str:
    shape = {
        "conversation": "chat messages",
        "text": "plain text",
        "preference": "prompt/chosen/rejected pairs",
    }[target]
    counts = ", ".join(f"{len(d)} {split} rows" for split, d in converted.items())
    merged = f"; every {extension} rows merged into one conversation" if extension > 1 else ""
    return f"Dataset format detected: {detected.describe()}. Converted to {shape}: {counts}{merged}."


def convert_loaded(loaded: LoadedData, params: LLMParams, target: str, logger: Any) -> tuple[LoadedData, Converted]:
    """Detect the format of the train split, convert both splits, and say what was done."""
    train_label = f"the {params.train_split} split of {loaded.source}"
    detected = detect(loaded.train.column_names, loaded.train[0], overrides_from(params, target), target, train_label)
    kind = target_for(detected, target)
    extension = params.conversation_extension if kind == "conversation" else 1
    if params.conversation_extension > 1 and kind != "conversation":
        logger.warning(
            f"Warning: conversation_extension only merges conversations; the data is {detected.kind}, so it is ignored."
        )
    splits = {"train": convert_split(loaded.train, detected, kind, extension, train_label)}
    if loaded.valid is not None:
        valid_label = f"the {params.valid_split} split of {loaded.source}"
        _check_valid_columns(loaded.valid, detected, valid_label)
        splits["valid"] = convert_split(loaded.valid, detected, kind, extension, valid_label)
    converted = Converted(detected, kind, splits, _summary(detected, splits, kind, extension), extension)
    logger.info(converted.summary)
    return LoadedData(splits["train"], splits.get("valid"), loaded.source), converted


def attach_converted_saver(trainer: Any, converted: Converted | None, project: Path) -> None:
    """Save the converted data into the project folder as training begins (after the folder is claimed)."""
    if converted is None:
        return
    to_save: Converted = converted  # the callback below closes over this non-None value
    from transformers import TrainerCallback

    from aitraining.engine.logs import get_logger

    class SaveConvertedData(TrainerCallback):
        def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            if state.is_world_process_zero:
                folder = to_save.save(project)
                get_logger().info(f"Converted data saved to {folder} for inspection.")

    trainer.add_callback(SaveConvertedData())
