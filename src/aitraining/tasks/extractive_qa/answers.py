"""SQuAD-style answers: reading and checking them, and scoring predicted answers (exact match, F1)."""

from __future__ import annotations

import collections
import json
import re
import string
from dataclasses import dataclass
from typing import Any

from aitraining.data.checks import check_text_column
from aitraining.errors import DataError


@dataclass(frozen=True)
class Answers:
    texts: list[str]
    starts: list[int]

    @property
    def empty(self) -> bool:
        return not self.texts


def parse_answers(value: Any) -> Answers:
    """{"text": [...], "answer_start": [...]} (a mapping or its JSON text) -> Answers; ValueError if malformed.

    A single text / start (not in lists) is accepted as one answer.
    """
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise ValueError('is not valid JSON; write {"text": [...], "answer_start": [...]}') from None
    if not isinstance(value, dict) or "text" not in value or "answer_start" not in value:
        raise ValueError('must be a mapping with keys "text" and "answer_start"')
    texts, starts = value["text"], value["answer_start"]
    texts = texts if isinstance(texts, list) else [texts]
    starts = starts if isinstance(starts, list) else [starts]
    if len(texts) != len(starts):
        raise ValueError(f"has {len(texts)} answer text(s) but {len(starts)} answer_start value(s)")
    if not all(isinstance(t, str) and t for t in texts):
        raise ValueError("has an answer text that is empty or not a string")
    if not all(isinstance(s, int) and not isinstance(s, bool) for s in starts):
        raise ValueError("has an answer_start that is not a whole number")
    return Answers(list(texts), list(starts))


def span_problem(context: str, text: str, start: int) -> str | None:
    """Why `text` is not found at `start` in `context`, or None when it is."""
    if not 0 <= start < len(context):
        return f"answer_start {start} is outside the context ({len(context)} characters)"
    found = context[start : start + len(text)]
    if found == text:
        return None
    elsewhere = context.find(text)
    hint = f"; the text occurs at {elsewhere}" if elsewhere >= 0 else "; the text does not occur in the context"
    return f"answer {text!r} is not at answer_start {start} (the context there reads {found!r}){hint}"


def check_qa_rows(dataset: Any, columns: tuple[str, str, str], split: str, source: str) -> list[Answers]:
    """Check every row: context and question non-empty text, every answer found at its answer_start."""
    context_column, question_column, answer_column = columns
    check_text_column(dataset, context_column, split, source)
    check_text_column(dataset, question_column, split, source)
    parsed = []
    for row, (context, value) in enumerate(zip(dataset[context_column], dataset[answer_column], strict=True), 1):
        where = f"Row {row} of the {split} split of {source}"
        try:
            answers = parse_answers(value)
        except ValueError as exc:
            raise DataError(f"{where}: the answer in column '{answer_column}' {exc}.") from None
        for text, start in zip(answers.texts, answers.starts, strict=True):
            problem = span_problem(context, text, start)
            if problem:
                raise DataError(
                    f"{where}: {problem} (column '{answer_column}', context column '{context_column}'). "
                    "answer_start counts characters from 0."
                )
        parsed.append(answers)
    return parsed


def normalize_answer(text: str) -> str:
    """SQuAD's normalisation: lower case, no punctuation, no articles, single spaces."""
    text = "".join(ch for ch in text.lower() if ch not in set(string.punctuation))
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


def _f1(prediction: str, gold: str) -> float:
    predicted, wanted = normalize_answer(prediction).split(), normalize_answer(gold).split()
    if not predicted or not wanted:  # unanswerable: right only when both are empty
        return float(predicted == wanted)
    common = sum((collections.Counter(predicted) & collections.Counter(wanted)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(predicted), common / len(wanted)
    return 2 * precision * recall / (precision + recall)


def squad_metrics(predictions: list[str], golds: list[list[str]]) -> dict[str, float]:
    """Exact match and token F1 (best over each question's gold answers), as fractions in [0, 1].

    A question without gold answers counts as answered correctly only by an empty prediction.
    """
    exact = f1 = 0.0
    for prediction, answers in zip(predictions, golds, strict=True):
        answers = answers or [""]
        exact += max(float(normalize_answer(prediction) == normalize_answer(a)) for a in answers)
        f1 += max(_f1(prediction, a) for a in answers)
    count = max(len(predictions), 1)
    return {"exact_match": exact / count, "f1": f1 / count}
