"""The automatic validation split keeps every question of a context on one side: a held-out paragraph is
never trained on (SQuAD has about five questions per paragraph)."""

from __future__ import annotations

import json
import logging

from aitraining.engine.splits import load_checked
from aitraining.tasks.extractive_qa.params import ExtractiveQAParams
from aitraining.tasks.extractive_qa.task import ExtractiveQA


def squad_like_rows(contexts: int, questions: int) -> list[dict]:
    rows = []
    for c in range(contexts):
        context = f"paragraph {c} says the answer is word{c} and nothing else"
        start = context.index(f"word{c}")
        for q in range(questions):
            answers = {"text": [f"word{c}"], "answer_start": [start]}
            rows.append({"context": context, "question": f"question {q} about {c}?", "answers": answers})
    return rows


def test_held_out_questions_never_share_a_context_with_training(tmp_path, caplog):
    folder = tmp_path / "data"
    folder.mkdir()
    rows = squad_like_rows(contexts=30, questions=5)
    (folder / "train.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    params = ExtractiveQAParams(model="unused", data_path=str(folder))
    logger = logging.getLogger("aitraining.test.qa_split")
    with caplog.at_level(logging.INFO, logger="aitraining.test.qa_split"):
        splits = load_checked(ExtractiveQA(), params, logger)
    train, valid = set(splits.train["context"]), set(splits.valid["context"])
    assert not train & valid
    assert len(train | valid) == 30 and len(splits.train) + len(splits.valid) == 150
    assert 0.1 <= len(splits.valid) / 150 <= 0.3
    assert "holding out a seeded 20% of the training data" in caplog.text
    assert "grouped by context ('context'): none of its 30 values is in both splits" in caplog.text
