"""Row-level checks shared by the tasks: the first bad value is reported with its row and column."""

from __future__ import annotations

from typing import Any

from aitraining.errors import DataError


def check_text_column(dataset: Any, column: str, split: str, source: str) -> None:
    for row, value in enumerate(dataset[column], start=1):
        if not isinstance(value, str) or not value.strip():
            raise DataError(
                f"Row {row} of the {split} split of {source}: column '{column}' must hold non-empty text, "
                f"got {value!r}. Fix or remove that row."
            )
