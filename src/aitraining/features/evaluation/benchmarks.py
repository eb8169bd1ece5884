"""Multiple-choice benchmarks from local JSONL files: one file, or a folder of them (one benchmark per file).

Rows are read in any of these shapes (the field names of the usual releases):
- plain:      {"question": str, "choices": [str, ...], "answer": int}
- MMLU:       {"question": str, "choices": [str, ...], "answer": int or "A".."Z"}
- ARC:        {"question": {"stem": str, "choices": [{"text", "label"}, ...]}, "answerKey": label}
              or the Hub layout {"question": str, "choices": {"text": [...], "label": [...]}, "answerKey": label}
- HellaSwag:  {"ctx": str, "endings": [str, ...], "label": int or "0".."9"} (with "activity_label" when present)

Each row becomes a context and its choices in lm-evaluation-harness' cloze formulation: questions are asked as
"Question: {question}\\nAnswer:" (its ARC prompt) and HellaSwag contexts as "{activity_label}: {ctx}" cleaned
the way its hellaswag task does; every choice is then scored as the continuation " {choice}".
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aitraining.errors import DataError, ParamError

ROW_FORMAT = (
    'one JSON object per line, at least {"question": "...", "choices": ["...", "..."], "answer": 0} '
    "(HellaSwag ctx/endings/label, ARC question.stem/question.choices/answerKey and MMLU question/choices/answer "
    "with a letter are read too)"
)
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass(frozen=True)
class Item:
    context: str  # the text before the choice (raw prompt), or the question (chat prompt)
    question: str  # what a chat template renders as the user turn
    choices: tuple[str, ...]
    answer: int


def benchmark_files(spec: str) -> dict[str, Path]:
    """{benchmark name: file}; a name that is not a local path is an error saying where the files go."""
    path = Path(spec).expanduser()
    if path.is_file():
        return {path.stem: path}
    if path.is_dir():
        files = sorted(path.glob("*.jsonl"))
        if not files:
            raise ParamError(
                f"--eval-benchmark {spec}: the folder holds no .jsonl files. Each file is one benchmark, {ROW_FORMAT}."
            )
        return {f.stem: f for f in files}
    raise ParamError(
        f"--eval-benchmark {spec}: no such file or folder. Benchmarks are read from local files only (nothing is "
        f"downloaded): put the benchmark's rows in a .jsonl file (or a folder of them, e.g. ./benchmarks/{spec}.jsonl) "
        f"and pass that path. Row format: {ROW_FORMAT}."
    )


def load_benchmarks(spec: str) -> dict[str, list[Item]]:
    return {name: read_items(path) for name, path in benchmark_files(spec).items()}


def read_items(path: Path) -> list[Item]:
    items = []
    with path.open(encoding="utf-8") as fh:
        for line_no, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            where = f"{path}:{line_no}"
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DataError(f"{where}: not valid JSON ({exc.msg}, column {exc.colno}). {ROW_FORMAT}.") from None
            items.append(parse_row(row, where))
    if not items:
        raise DataError(f"{path}: no rows. Benchmark files hold {ROW_FORMAT}.")
    return items


def parse_row(row: Any, where: str) -> Item:
    if not isinstance(row, dict):
        raise DataError(f"{where}: expected a JSON object, got {type(row).__name__}. {ROW_FORMAT}.")
    if "ctx" in row and "endings" in row:
        return _hellaswag(row, where)
    question = row.get("question")
    if isinstance(question, dict):  # original ARC: the choices live inside the question
        return _arc(question.get("stem"), question.get("choices"), row.get("answerKey"), where)
    if "answerKey" in row:
        return _arc(question, row.get("choices"), row.get("answerKey"), where)
    return _item(_text(question, "question", where), row.get("choices"), row.get("answer"), where)


def _text(value: Any, field: str, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise DataError(f"{where}: field '{field}' must be non-empty text (got {value!r}). {ROW_FORMAT}.")
    return value.strip()


def _choices(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or len(value) < 2:
        raise DataError(f"{where}: field 'choices' must be a list of at least two texts (got {value!r}).")
    return tuple(_text(c, "choices", where) for c in value)


def _answer(value: Any, labels: list[str], where: str) -> int:
    """An index, a digit string, or a label (letter) found in `labels`."""
    if isinstance(value, bool):
        value = None
    if isinstance(value, str) and value.strip() in labels:
        return labels.index(value.strip())
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, int) and 0 <= value < len(labels):
        return value
    raise DataError(
        f"{where}: the answer {value!r} names none of the {len(labels)} choices (an index 0..{len(labels) - 1} "
        f"or one of the labels {', '.join(labels)})."
    )


def _item(question: str, choices: Any, answer: Any, where: str) -> Item:
    options = _choices(choices, where)
    gold = _answer(answer, list(LETTERS[: len(options)]), where)
    return Item(f"Question: {question}\nAnswer:", question, options, gold)


def _arc(stem: Any, choices: Any, key: Any, where: str) -> Item:
    if isinstance(choices, dict):  # the Hub's ARC layout: {"text": [...], "label": [...]}
        texts, labels = choices.get("text"), choices.get("label")
    elif isinstance(choices, list) and all(isinstance(c, dict) for c in choices):
        texts, labels = [c.get("text") for c in choices], [c.get("label") for c in choices]
    else:
        raise DataError(f"{where}: ARC choices must be [{{'text', 'label'}}, ...] (got {choices!r}).")
    options = _choices(texts, where)
    keys = list(LETTERS[: len(options)])
    if isinstance(labels, list) and len(labels) == len(options) and all(label is not None for label in labels):
        keys = [str(label) for label in labels]
    gold = _answer(str(key) if key is not None else None, keys, where)
    question = _text(stem, "question.stem", where)
    return Item(f"Question: {question}\nAnswer:", question, options, gold)


def hellaswag_clean(text: str) -> str:
    """lm-evaluation-harness' hellaswag `preprocess`: WikiHow '[title]' markers and bracketed tags removed."""
    text = text.strip().replace(" [title]", ". ")
    text = re.sub(r"\[.*?\]", "", text)
    return text.replace("  ", " ")


def _hellaswag(row: dict[str, Any], where: str) -> Item:
    if isinstance(row.get("ctx_a"), str) and isinstance(row.get("ctx_b"), str):  # as lm-eval joins them
        ctx = _text(row["ctx_a"] + " " + row["ctx_b"].capitalize(), "ctx", where)
    else:
        ctx = _text(row.get("ctx"), "ctx", where)
    label = row.get("activity_label")
    context = hellaswag_clean(f"{label}: {ctx}" if isinstance(label, str) and label else ctx)
    endings = _choices(row.get("endings"), where)
    gold = _answer(row.get("label"), [str(i) for i in range(len(endings))], where)
    return Item(context, context, tuple(hellaswag_clean(e) for e in endings), gold)
