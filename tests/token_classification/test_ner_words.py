"""Byte-level BPE tokenizers see the same tokens in training as a pipeline on running text, and words cut off
by --max-seq-length count as missed instead of vanishing from the gold labels."""

from __future__ import annotations

import logging
from pathlib import Path
from types import SimpleNamespace

import datasets
import numpy as np
import pytest
from ner_helpers import synthetic_rows
from transformers import AutoTokenizer

from aitraining.tasks.token_classification.metrics import IGNORED, tagging_metrics
from aitraining.tasks.token_classification.params import TokenClassificationParams
from aitraining.tasks.token_classification.task import TokenClassification
from aitraining.testing import make_tiny_causal_lm


@pytest.fixture(scope="module")
def byte_level_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A GPT-2 style byte-level BPE tokenizer ('Ġlives' after a space), as RoBERTa and DeBERTa-v1 have."""
    texts = [" ".join(row["tokens"]) for row in synthetic_rows(100, seed=3)]
    return make_tiny_causal_lm(tmp_path_factory.mktemp("bpe"), texts=texts)


def test_byte_level_words_get_the_tokens_of_running_text(byte_level_model, tmp_path, caplog):
    rows = synthetic_rows(6, seed=4)
    params = TokenClassificationParams(model=str(byte_level_model), data_path="unused")
    task = TokenClassification()
    logger = logging.getLogger("aitraining.test.ner")
    with caplog.at_level(logging.INFO, logger="aitraining"):
        processor = task.load_processor(params)
    assert "add_prefix_space=True" in caplog.text
    data = datasets.Dataset.from_list(rows)
    state = task.setup(data, data, params, processor, logger)
    features = task.preprocess(data, state, "train")
    processor.save_pretrained(tmp_path / "saved")
    saved = AutoTokenizer.from_pretrained(tmp_path / "saved")  # what pipeline() loads from the project folder
    for row, ids in zip(rows, features["input_ids"], strict=True):
        assert ids == saved(" ".join(row["tokens"]))["input_ids"], row["tokens"]
    untouched = AutoTokenizer.from_pretrained(byte_level_model)  # the premise: without it the tokens differ
    words = rows[0]["tokens"]
    assert untouched(words, is_split_into_words=True)["input_ids"] != untouched(" ".join(words))["input_ids"]


def _prediction(tag_ids: list[list[int]], scored_words: list[int], num_tags: int) -> SimpleNamespace:
    """Logits that predict each word's true tag, for only the first `scored_words[i]` words of row i (the rest
    were cut off by the length limit), one position per word."""
    width = max(len(row) for row in tag_ids) + 2
    logits = np.zeros((len(tag_ids), width, num_tags))
    labels = np.full((len(tag_ids), width), IGNORED)
    for i, (row, kept) in enumerate(zip(tag_ids, scored_words, strict=True)):
        for position, tag in enumerate(row[:kept], start=1):  # position 0: the special start token
            logits[i, position, tag] = 1.0
            labels[i, position] = tag
    return SimpleNamespace(predictions=logits, label_ids=labels)


def test_cut_off_entities_count_as_missed():
    names = ["O", "B-PER", "I-PER", "B-LOC"]
    gold = [[1, 2, 0, 0, 3], [1, 0, 3]]  # 4 entities; the first row's LOC lies past the length limit
    compute = tagging_metrics(names, True, gold)
    scores = compute(_prediction(gold, [3, 3], len(names)))
    assert scores["precision"] == 1.0
    assert scores["recall"] == pytest.approx(3 / 4)  # the cut-off LOC is missed, not dropped
    assert compute(_prediction(gold, [5, 3], len(names)))["recall"] == 1.0


def test_cut_off_words_count_as_wrong_when_tags_are_not_spans():
    names = ["DET", "NOUN", "VERB"]
    gold = [[0, 1, 2, 0], [1, 2]]
    scores = tagging_metrics(names, False, gold)(_prediction(gold, [2, 2], len(names)))
    assert scores["accuracy"] == pytest.approx(4 / 6)
