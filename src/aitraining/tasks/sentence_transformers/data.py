"""The columns each trainer reads, the row checks, and the dataset layout sentence-transformers expects.

sentence-transformers feeds a loss every column of the dataset in order, except a column named `label` or
`score`, which becomes the target. So each split is reduced to exactly the role columns, in role order,
plus that one target column.
"""

from __future__ import annotations

import math
from typing import Any

from aitraining.data.checks import check_text_column
from aitraining.data.mapping import tokenize_map
from aitraining.errors import DataError, ParamError
from aitraining.params.flags import flag_for
from aitraining.tasks.sentence_transformers.params import SentenceTransformersParams

# trainer -> the text columns it reads (param names, in the order the loss takes them)
TEXT_PARAMS: dict[str, tuple[str, ...]] = {
    "pair": ("sentence1_column", "sentence2_column"),
    "qa": ("sentence1_column", "sentence2_column"),
    "pair_class": ("sentence1_column", "sentence2_column"),
    "pair_score": ("sentence1_column", "sentence2_column"),
    "triplet": ("sentence1_column", "sentence2_column", "sentence3_column"),
}
# The names the columns get in the training data (they show in sentence-transformers' own model card).
ROLE_NAMES: dict[str, tuple[str, ...]] = {
    "pair": ("anchor", "positive"),
    "qa": ("question", "answer"),
    "pair_class": ("sentence1", "sentence2"),
    "pair_score": ("sentence1", "sentence2"),
    "triplet": ("anchor", "positive", "negative"),
}
TARGET_NAME = {"pair_class": "label", "pair_score": "score"}


def columns(params: SentenceTransformersParams) -> dict[str, str]:
    """{param name: column} the trainer reads; two roles may not share one column."""
    names = [*TEXT_PARAMS[params.trainer], *(["target_column"] if params.trainer in TARGET_NAME else [])]
    used = {name: getattr(params, name) for name in names}
    seen: dict[str, str] = {}
    for name, column in used.items():
        if column in seen:
            raise ParamError(
                f"{flag_for(seen[column])} and {flag_for(name)} both name column '{column}'; "
                f"--trainer {params.trainer} needs a different column for each."
            )
        seen[column] = name
    return used


def check_rows(dataset: Any, params: SentenceTransformersParams, split: str, source: str) -> None:
    for name in TEXT_PARAMS[params.trainer]:
        check_text_column(dataset, getattr(params, name), split, source)
    if params.trainer == "pair_score":
        for row, value in enumerate(dataset[params.target_column], start=1):
            if score_of(value) is None:
                raise DataError(
                    f"Row {row} of the {split} split of {source}: column '{params.target_column}' must hold a "
                    f"similarity score (a finite number) for --trainer pair_score, got {value!r}."
                )
    elif params.trainer == "pair_class":
        for row, value in enumerate(dataset[params.target_column], start=1):
            if class_of(value) is None:
                raise DataError(
                    f"Row {row} of the {split} split of {source}: column '{params.target_column}' must hold a "
                    f"class (0/1, an integer id or a name) for --trainer pair_class, got {value!r}."
                )


def score_of(value: Any) -> float | None:
    """A finite float, or None. Numeric text counts: one stray word in a CSV column turns every value to text."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def class_of(value: Any) -> str | None:
    """Classes are compared as text: 1, 1.0, '1' and True are one class."""
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def to_training_layout(dataset: Any, params: SentenceTransformersParams, class_index: dict[str, int]) -> Any:
    """Keep the role columns (renamed, in order) and the target as `label` (class id) or `score` (float)."""
    trainer = params.trainer
    sources = [getattr(params, name) for name in TEXT_PARAMS[trainer]]

    def convert(batch: dict[str, list]) -> dict[str, list]:
        out = {role: batch[column] for role, column in zip(ROLE_NAMES[trainer], sources, strict=True)}
        if trainer == "pair_score":
            out["score"] = [score_of(v) for v in batch[params.target_column]]
        elif trainer == "pair_class":
            out["label"] = [class_index[str(class_of(v))] for v in batch[params.target_column]]
        return out

    return tokenize_map(dataset, convert, workers=params.num_workers)
