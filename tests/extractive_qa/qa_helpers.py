"""Synthetic extractive QA data a tiny random BERT can learn: the answer is the word after a fixed cue.

Contexts hold several filler sentences and, for most rows, one "the code is <word>." sentence at a random
place; the rest have no cue and an empty answer list (SQuAD 2.0's unanswerable questions). Contexts are
long enough for --max-seq-length 64 to cut many of them into several windows.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from aitraining.testing._corpus import NUMBER_WORDS

SUBJECTS = ["the cat", "a dog", "my friend", "the teacher", "our team", "a robot", "she"]
VERBS = ["likes", "sees", "finds", "wants", "reads", "builds", "paints"]
OBJECTS = ["a red ball", "the blue sky", "an old book", "two green apples", "the small house", "a long song"]
TAILS = ["today.", "every morning.", "at night.", "in the park.", "with joy."]
QUESTION = "what is the code?"
WINDOWS = ["--max-seq-length", "64", "--max-doc-stride", "16"]


def filler(rng: random.Random) -> str:
    return f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(TAILS)}"


def cue_row(rng: random.Random, *, answerable: bool, sentences: tuple[int, int] = (2, 7)) -> dict:
    parts = [filler(rng) for _ in range(rng.randint(*sentences))]
    if not answerable:
        return {"context": " ".join(parts), "question": QUESTION, "answers": {"text": [], "answer_start": []}}
    word = rng.choice(NUMBER_WORDS)
    cue = f"the code is {word}."
    parts.insert(rng.randint(0, len(parts)), cue)
    context = " ".join(parts)
    start = context.index(cue) + len("the code is ")
    return {"context": context, "question": QUESTION, "answers": {"text": [word], "answer_start": [start]}}


def cue_rows(n: int, seed: int = 0, unanswerable: float = 0.15) -> list[dict]:
    rng = random.Random(seed)
    return [cue_row(rng, answerable=rng.random() >= unanswerable) for _ in range(n)]


def write_rows(folder: Path, rows: list[dict], name: str = "train.jsonl") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text("".join(json.dumps(r) + "\n" for r in rows))
    return folder


def train_args(model: Path, data: Path, project: Path, *extra: str) -> list:
    return ["extractive-qa", "--train", "--model", model, "--data-path", data, "--project-name", project, *extra]
