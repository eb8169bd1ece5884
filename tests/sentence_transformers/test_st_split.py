"""Pair, qa and triplet data are held out by anchor: a validation query is never a training query."""

from __future__ import annotations

import logging

import pytest
from st_data import FRUITS, LOOKS, write_dataset, write_jsonl

from aitraining.engine.splits import load_checked
from aitraining.tasks.sentence_transformers.params import SentenceTransformersParams
from aitraining.tasks.sentence_transformers.task import SentenceTransformersTask


@pytest.mark.parametrize("trainer", ["pair", "qa", "triplet"])
def test_anchors_stay_on_one_side_of_the_held_out_split(tmp_path, caplog, trainer):
    """Each anchor has four positives (as a query with several relevant passages has)."""
    rows = [
        {"sentence1": f"about the {fruit} number {n}", "sentence2": f"{look} {k}", "sentence3": "other"}
        for n in range(3)
        for fruit, look in zip(FRUITS, LOOKS, strict=True)
        for k in range(4)
    ]
    data = write_jsonl(tmp_path / "data" / "train.jsonl", rows).parent
    params = SentenceTransformersParams(model="unused", data_path=str(data), trainer=trainer)
    logger = logging.getLogger("aitraining.test.st_split")
    with caplog.at_level(logging.INFO, logger="aitraining.test.st_split"):
        splits = load_checked(SentenceTransformersTask(), params, logger)
    train, valid = set(splits.train["sentence1"]), set(splits.valid["sentence1"])
    assert valid and not train & valid
    assert "('sentence1'): none of its 36 values is in both splits" in caplog.text


def test_scored_pairs_are_held_out_row_by_row(tmp_path, caplog):
    data = write_dataset(tmp_path / "data", "pair_score", n_train=120, n_valid=0)
    params = SentenceTransformersParams(model="unused", data_path=str(data), trainer="pair_score")
    logger = logging.getLogger("aitraining.test.st_split")
    with caplog.at_level(logging.INFO, logger="aitraining.test.st_split"):
        splits = load_checked(SentenceTransformersTask(), params, logger)
    assert len(splits.valid) == 24 and "grouped" not in caplog.text
