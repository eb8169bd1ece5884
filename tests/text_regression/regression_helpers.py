"""Data of the text-regression tests (imported by name: pytest puts this folder on sys.path)."""

from __future__ import annotations

import json
import random
from pathlib import Path

# The target is the rating word's value: a simple function of word choice that a tiny encoder can learn.
RATINGS = {"terrible": 1.0, "poor": 2.0, "average": 3.0, "good": 4.0, "excellent": 5.0}
NOUNS = ("phone", "lamp", "chair", "kettle", "bag", "watch", "camera", "desk")
TEMPLATES = ("the {noun} is {rating}", "a {rating} {noun} overall", "my new {noun} feels {rating} to me")


def synthetic_rows(count: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    rows = []
    for _ in range(count):
        rating = rng.choice(sorted(RATINGS))
        text = rng.choice(TEMPLATES).format(noun=rng.choice(NOUNS), rating=rating)
        rows.append({"review": text, "score": RATINGS[rating]})
    return rows


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path
