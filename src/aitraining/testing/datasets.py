"""Small synthetic datasets that a tiny model can visibly learn, written to disk like user data.

End-to-end tests need two things from data: the files must look like what users pass in (a folder with
`train.jsonl` / `valid.jsonl` and the documented columns), and the task must be easy enough that a tiny
random model's loss drops clearly within a few dozen steps, otherwise "training works" cannot be asserted.
Every generator is deterministic for a given seed, and the validation split uses its own random stream so
changing `n_train` does not reshuffle it.
"""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Literal

from aitraining.testing._corpus import COLOUR_ANSWERS, NUMBER_WORDS

ChatStyle = Literal["messages", "prompt_completion", "text"]

SYSTEM_PROMPT = "You are a helpful assistant. Answer with one word."
_QUESTION_TEMPLATES = (
    "{colour}",
    "What goes with {colour}?",
    "Name the thing for {colour}.",
    "colour: {colour}",
)


def _write_rows(path: Path, rows: Iterable[dict[str, Any]], fmt: Literal["jsonl", "csv"] = "jsonl") -> None:
    """Write rows as JSON lines (UTF-8, one object per line) or as a CSV with a header row."""
    rows = list(rows)
    if fmt == "jsonl":
        with path.open("w", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        return
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]) if rows else ["text"])
        writer.writeheader()
        writer.writerows(rows)


def _write_splits(
    out_dir: str | Path,
    make_row: Callable[[random.Random], dict[str, Any]],
    n_train: int,
    n_valid: int,
    seed: int,
    fmt: Literal["jsonl", "csv"] = "jsonl",
) -> Path:
    """Generate both splits from independent seeded streams and write `train.<fmt>` and `valid.<fmt>`."""
    if fmt not in ("jsonl", "csv"):
        raise ValueError(f"fmt must be 'jsonl' or 'csv', got {fmt!r}")
    path = Path(out_dir)
    path.mkdir(parents=True, exist_ok=True)
    for split, count, stream in (("train", n_train, 0), ("valid", n_valid, 1)):
        rng = random.Random(f"{seed}-{stream}")
        _write_rows(path / f"{split}.{fmt}", (make_row(rng) for _ in range(count)), fmt)
    return path


def _counting_line(rng: random.Random) -> str:
    """`one two three ...` from a random start, wrapping after twelve: fully predictable after one word."""
    start = rng.randrange(len(NUMBER_WORDS))
    length = rng.randint(6, 12)
    return " ".join(NUMBER_WORDS[(start + i) % len(NUMBER_WORDS)] for i in range(length))


def write_text_corpus(
    out_dir: str | Path,
    n_train: int = 200,
    n_valid: int = 40,
    fmt: Literal["jsonl", "csv"] = "jsonl",
    *,
    seed: int = 0,
) -> Path:
    """Write a plain-text language-modelling dataset (column `text`) and return the folder.

    Rows are counting sequences such as `"four five six seven eight nine"`; a tiny causal LM learns the
    successor rule in a few dozen steps, so its loss falls far below the uniform-guess level.
    """
    return _write_splits(out_dir, lambda rng: {"text": _counting_line(rng)}, n_train, n_valid, seed, fmt)


def _colour_question(rng: random.Random) -> tuple[str, str]:
    """Pick a colour and a phrasing; the answer depends only on the colour, never on the phrasing."""
    colour = rng.choice(sorted(COLOUR_ANSWERS))
    question = rng.choice(_QUESTION_TEMPLATES).format(colour=colour)
    return question, COLOUR_ANSWERS[colour]


def _plain_prompt(question: str) -> str:
    """The non-chat rendering shared by `prompt_completion`, `text` and the preference data."""
    return f"Question: {question}\nAnswer:"


def write_chat_dataset(
    out_dir: str | Path,
    n_train: int = 200,
    n_valid: int = 40,
    style: ChatStyle = "messages",
    *,
    with_system: bool = False,
    seed: int = 0,
) -> Path:
    """Write an instruction-tuning dataset (`train.jsonl`, `valid.jsonl`) and return the folder.

    The task maps a colour to one fixed word (`red -> apple`, `blue -> sky`, ...) under several phrasings,
    so a tiny model can learn it and a test can check the answer after training.

    Styles:
        `messages`: column `messages`, a list of `{"role", "content"}` dicts (user then assistant, preceded by
            a system turn when `with_system`), the conversational format of TRL.
        `prompt_completion`: string columns `prompt` (`"Question: ...\\nAnswer:"`) and `completion`
            (`" apple"`), so completion-only loss can be tested.
        `text`: column `text`, the prompt and completion concatenated.
    """
    if style not in ("messages", "prompt_completion", "text"):
        raise ValueError(f"style must be 'messages', 'prompt_completion' or 'text', got {style!r}")

    def make_row(rng: random.Random) -> dict[str, Any]:
        question, answer = _colour_question(rng)
        if style == "messages":
            turns = [{"role": "system", "content": SYSTEM_PROMPT}] if with_system else []
            turns += [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]
            return {"messages": turns}
        prompt, completion = _plain_prompt(question), f" {answer}"
        if style == "prompt_completion":
            return {"prompt": prompt, "completion": completion}
        return {"text": prompt + completion}

    return _write_splits(out_dir, make_row, n_train, n_valid, seed)


def write_preference_dataset(
    out_dir: str | Path,
    n_train: int = 200,
    n_valid: int = 40,
    *,
    seed: int = 0,
) -> Path:
    """Write a pairwise preference dataset (string columns `prompt`, `chosen`, `rejected`); return the folder.

    `chosen` is always the colour's fixed word and `rejected` another colour's word, so DPO/ORPO/reward
    training has an unambiguous signal: the reward margin and preference accuracy should rise quickly.
    """
    words = sorted(set(COLOUR_ANSWERS.values()))

    def make_row(rng: random.Random) -> dict[str, Any]:
        question, answer = _colour_question(rng)
        wrong = rng.choice([w for w in words if w != answer])
        return {"prompt": _plain_prompt(question), "chosen": f" {answer}", "rejected": f" {wrong}"}

    return _write_splits(out_dir, make_row, n_train, n_valid, seed)
