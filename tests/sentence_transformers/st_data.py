"""Synthetic, learnable embedding datasets: each fruit has its own description word.

A sentence about fruit k must end up close to a sentence with description word k and far from the other
descriptions. The words share no characters on purpose, so the tiny random encoder starts near chance and
only training can find the mapping. Filler words vary, so the model must learn words, not whole sentences.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path

FRUITS = ("apple", "banana", "cherry", "grape", "lemon", "mango", "melon", "peach", "pear", "plum", "kiwi", "lime")
LOOKS = (
    "red",
    "yellow",
    "crimson",
    "purple",
    "sour",
    "tropical",
    "green",
    "fuzzy",
    "brown",
    "violet",
    "small",
    "bitter",
)
FILLER = ("the", "a", "very", "quite", "nice", "old", "new", "big", "some", "this", "that", "my", "one", "fresh")
SEED = 7


def sentence(rng: random.Random, word: str) -> str:
    return " ".join([*rng.sample(FILLER, 2), word, rng.choice(FILLER)])


def _pair_rows(rng: random.Random, n: int) -> list[dict]:
    rows = []
    for i in range(n):
        k = i % len(FRUITS)
        rows.append({"sentence1": sentence(rng, FRUITS[k]), "sentence2": sentence(rng, LOOKS[k])})
    return rows


def _triplet_rows(rng: random.Random, n: int) -> list[dict]:
    rows = _pair_rows(rng, n)
    for i, row in enumerate(rows):
        other = (i % len(FRUITS) + rng.randrange(1, len(FRUITS))) % len(FRUITS)
        row["sentence3"] = sentence(rng, LOOKS[other])
    return rows


def _labelled_rows(rng: random.Random, n: int, target: Callable[[bool], object]) -> list[dict]:
    rows = []
    for i in range(n):
        k = i % len(FRUITS)
        same = i % 2 == 0
        j = k if same else (k + rng.randrange(1, len(FRUITS))) % len(FRUITS)
        rows.append(
            {"sentence1": sentence(rng, FRUITS[k]), "sentence2": sentence(rng, LOOKS[j]), "target": target(same)}
        )
    return rows


def _nli_rows(rng: random.Random, n: int) -> list[dict]:
    """entailment: the fruit's own look; contradiction: another fruit's look; neutral: another fruit.
    Telling the first two apart needs the learnt fruit-look relation, not just the words of sentence2."""
    rows = []
    for i in range(n):
        k, other = i % len(FRUITS), (i % len(FRUITS) + rng.randrange(1, len(FRUITS))) % len(FRUITS)
        label = ("entailment", "contradiction", "neutral")[i % 3]
        word = {"entailment": LOOKS[k], "contradiction": LOOKS[other], "neutral": FRUITS[other]}[label]
        rows.append({"sentence1": sentence(rng, FRUITS[k]), "sentence2": sentence(rng, word), "target": label})
    return rows


BUILDERS: dict[str, Callable[[random.Random, int], list[dict]]] = {
    "pair": _pair_rows,
    "qa": _pair_rows,
    "triplet": _triplet_rows,
    "pair_score": lambda rng, n: _labelled_rows(rng, n, lambda same: 1.0 if same else 0.0),
    "pair_class": lambda rng, n: _labelled_rows(rng, n, lambda same: int(same)),
    "pair_class_nli": _nli_rows,
}


def all_texts() -> list[str]:
    """Every word the datasets use, for training the tiny encoder's tokenizer."""
    words = [*FRUITS, *LOOKS, *FILLER]
    return [" ".join(words)] * 20


def read_metrics(project: Path) -> dict:
    return json.loads((project / "metrics.json").read_text())


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def write_dataset(folder: Path, kind: str, n_train: int = 96, n_valid: int = 24) -> Path:
    """train.jsonl (and valid.jsonl) of one kind; qa data uses the column names question and answer."""
    rng = random.Random(SEED)
    for split, n in (("train", n_train), ("valid", n_valid)):
        rows = BUILDERS[kind](rng, n)
        if kind == "qa":
            rows = [{"question": r["sentence1"], "answer": r["sentence2"]} for r in rows]
        if n:
            write_jsonl(folder / f"{split}.jsonl", rows)
    return folder
