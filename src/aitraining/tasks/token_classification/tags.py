"""Reading the words and tags of token-classification rows, and the tag vocabulary the model learns.

Rows come from JSON Lines / Parquet / saved datasets as real lists, and from CSV as the lists' JSON text;
both are accepted. Tags are names ("B-PER") or integer ids; ids take their names from the dataset's
ClassLabel feature (as in conll2003) so the saved model reports names, not numbers.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from aitraining.errors import DataError

# IOB1/IOB2, IOBES and BILOU prefixes: tags shaped like this mark entity spans that seqeval can score.
_SPAN_TAG = re.compile(r"^[BIESLU]-.+$")


@dataclass(frozen=True)
class RowRef:
    """Where a row lives, for error messages: 'Row 7 of the train split of folder data'."""

    row: int
    split: str
    source: str

    def __str__(self) -> str:
        return f"Row {self.row} of the {self.split} split of {self.source}"


def as_list(value: Any) -> list[Any] | None:
    """A list value, or the list written as JSON text (CSV cells); None when it is neither."""
    if isinstance(value, list | tuple):
        return list(value)
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError:
            return None
        return parsed if isinstance(parsed, list) else None
    return None


def is_tag(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, float):  # Arrow stores [1, 2.0] as doubles: whole numbers are still ids
        return value.is_integer() and value >= 0
    return (isinstance(value, int) and value >= 0) or (isinstance(value, str) and bool(value.strip()))


def tag_list(value: Any) -> list[Any]:
    """The tags of a checked row, whole-number floats turned back into integer ids."""
    return [int(tag) if isinstance(tag, float) else tag for tag in as_list(value) or []]


def check_row(words_value: Any, tags_value: Any, words_column: str, tags_column: str, where: RowRef) -> None:
    """Raise DataError naming the row and column when the words or tags cannot be trained on."""
    words = as_list(words_value)
    if words is None or not words:
        raise DataError(
            f"{where}: column '{words_column}' holds {_shown(words_value)}, not a list of words. Write the words "
            'as a list, or as its JSON text in a CSV cell, such as ["Ada", "lives", "in", "Paris"].'
        )
    bad_word = next((w for w in words if not isinstance(w, str)), None)
    if bad_word is not None:
        raise DataError(
            f"{where}: column '{words_column}' holds {bad_word!r} among its words; every word must be text."
        )
    tags = as_list(tags_value)
    if tags is None:
        raise DataError(
            f"{where}: column '{tags_column}' holds {_shown(tags_value)}, not a list of tags. Write one tag per "
            'word as a list, or as its JSON text in a CSV cell, such as ["B-PER", "O", "O", "B-LOC"].'
        )
    if len(tags) != len(words):
        raise DataError(
            f"{where}: column '{words_column}' has {len(words)} words but column '{tags_column}' has {len(tags)} "
            "tags; every word needs exactly one tag. Fix or remove that row."
        )
    bad_tag = next((t for t in tags if not is_tag(t)), None)
    if bad_tag is not None:
        raise DataError(
            f"{where}: column '{tags_column}' holds the tag {bad_tag!r}; a tag is a name such as B-PER or O, "
            "or a non-negative integer id."
        )


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def class_label_names(dataset: Any, column: str) -> list[str] | None:
    """Tag names of a `List(ClassLabel)` column (hub and saved datasets), else None."""
    inner = getattr(dataset.features.get(column), "feature", None)
    names = getattr(inner, "names", None)
    return list(names) if names else None


class TagVocabulary:
    """The model's labels: tag name <-> id, and how tags in the data map onto them."""

    def __init__(self, names: list[str], id_names: list[str] | None) -> None:
        self.names = names
        self.id_names = id_names  # names of integer tags, when the data uses ids
        self.index = {name: i for i, name in enumerate(names)}

    @classmethod
    def from_data(cls, tag_rows: list[list[Any]], feature_names: list[str] | None) -> TagVocabulary:
        """Integer tags keep their ids (named by the ClassLabel, else by the number itself); tag names are
        sorted with "O" first, the conventional id 0."""
        values = {tag for row in tag_rows for tag in row}
        if any(isinstance(tag, int) for tag in values):
            ids = [tag for tag in values if isinstance(tag, int)]
            names = feature_names or [str(i) for i in range(max(ids) + 1)]
            return cls(names, names)
        return cls(sorted(values, key=lambda tag: (tag != "O", tag)), None)

    def name(self, tag: Any) -> str:
        if isinstance(tag, int) and self.id_names is not None:
            if tag >= len(self.id_names):
                raise DataError(
                    f"Tag id {tag} has no name: the training data's tags are ids 0 to {len(self.id_names) - 1}."
                )
            return self.id_names[tag]
        return str(tag)

    def ids(self, tags: list[Any]) -> list[int]:
        return [self.index[self.name(tag)] for tag in tags]

    @property
    def spans(self) -> bool:
        """Whether the tags mark entity spans (IOB-style), so entity-level metrics apply."""
        entity_tags = [name for name in self.names if name != "O"]
        return bool(entity_tags) and all(_SPAN_TAG.match(name) for name in entity_tags)
