"""NER data of the token-classification tests, synthetic and hand-written (imported by name from the tests)."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

HERE = Path(__file__).parent

# A closed vocabulary: each word belongs to one entity type, so a tiny encoder can learn the tags quickly.
PEOPLE = ("alice smith", "bob", "carol jones", "dave", "erin brown", "frank")
PLACES = ("paris", "london", "tokyo", "new york", "cairo", "buenos aires")
ORGS = ("acme", "globex corp", "initech", "umbrella", "stark industries")
TEMPLATES = (
    "{PER} lives in {LOC} .",
    "{PER} works for {ORG} in {LOC} .",
    "yesterday {PER} visited {LOC} with a friend .",
    "{ORG} hired {PER} last week .",
    "the office of {ORG} is in {LOC} .",
)
_MARK = re.compile(r"\[(PER|LOC|ORG) ([^\]]+)\]|(\S+)")


def from_markup(line: str) -> dict:
    """'[PER Ada Lovelace] lived in [LOC London] .' -> words and their IOB2 tags."""
    tokens, tags = [], []
    for kind, entity, word in _MARK.findall(line):
        words = entity.split() if kind else [word]
        tokens += words
        tags += [f"B-{kind}"] + [f"I-{kind}"] * (len(words) - 1) if kind else ["O"]
    return {"tokens": tokens, "tags": tags}


def synthetic_rows(count: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    pick = {"PER": PEOPLE, "LOC": PLACES, "ORG": ORGS}
    rows = []
    for _ in range(count):
        template = rng.choice(TEMPLATES)
        line = re.sub(r"\{(\w+)\}", lambda m: f"[{m.group(1)} {rng.choice(pick[m.group(1)])}]", template)
        rows.append(from_markup(line))
    return rows


def news_rows() -> list[dict]:
    lines = (HERE / "data" / "news.txt").read_text().splitlines()
    return [from_markup(line) for line in lines if line.strip() and not line.startswith("#")]


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path
