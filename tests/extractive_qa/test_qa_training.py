"""extractive-qa end to end with a tiny BERT: learns the cue task over windowed contexts, answers
"no answer" where the context has none, reloads with transformers, and predicts from the CLI."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from qa_helpers import WINDOWS, cue_row, cue_rows, write_rows
from transformers import AutoModelForQuestionAnswering, AutoTokenizer

from aitraining.cli.main import main
from aitraining.tasks.extractive_qa.predict import answer_questions
from aitraining.testing import make_tiny_encoder


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("qa")
    model = make_tiny_encoder(root / "base")
    data = write_rows(root / "data", cue_rows(200))
    argv = ["--train", "--model", str(model), "--data-path", str(data), "--project-name", str(root / "p"), *WINDOWS]
    argv += ["--epochs", "5", "--lr", "3e-3", "--batch-size", "16", "--disable-gradient-checkpointing"]
    assert main(["extractive-qa", *argv]) == 0  # module-scoped: the log is read from training.log
    return root / "p", (root / "p" / "training.log").read_text()


def test_learns_exact_answers_over_windows(trained):
    project, log = trained
    assert "holding out a seeded 20% of the training data" in log
    assert "unanswerable" in log and "windows of up to 64 tokens" in log
    final = json.loads((project / "metrics.json").read_text())["final"]
    assert final["eval_exact_match"] >= 0.8 and final["eval_f1"] >= 0.8, final
    card = (project / "README.md").read_text()
    assert "eval_f1" in card and "extractive-qa --predict" in card


def test_reloads_and_answers_long_contexts(trained):
    project, _ = trained
    model = AutoModelForQuestionAnswering.from_pretrained(project)
    tokenizer = AutoTokenizer.from_pretrained(project)
    rng = random.Random(7)
    rows = [cue_row(rng, answerable=True, sentences=(7, 9)) for _ in range(10)]  # always several windows
    rows += [cue_row(rng, answerable=False, sentences=(3, 5)) for _ in range(4)]
    assert all(len(tokenizer("what is the code?", r["context"])["input_ids"]) > 64 for r in rows[:10])
    answers = answer_questions(model, [r["question"] for r in rows], [r["context"] for r in rows], tokenizer=tokenizer)
    found = [a["answer"] for a in answers[:10]]
    assert sum(a == r["answers"]["text"][0] for a, r in zip(found, rows, strict=False)) >= 8, found
    for answer, row in zip(answers[:10], rows, strict=False):
        if answer["answer"]:
            assert row["context"][answer["start"] : answer["end"]] == answer["answer"]
            assert 0 < answer["score"] <= 1
    assert sum(a["answer"] == "" for a in answers[10:]) >= 3, answers[10:]


def test_predict_action_scores_and_keeps_earlier_files(trained, run_cli, tmp_path):
    project, _ = trained
    rows = cue_rows(20, seed=3)
    labelled = write_rows(tmp_path, rows, "labelled.jsonl") / "labelled.jsonl"
    code, log = run_cli("extractive-qa", "--predict", "--project-name", str(project), "--data-path", str(labelled))
    assert code == 0, log
    assert "Scores: exact_match" in log
    results = [json.loads(line) for line in (project / "predictions.jsonl").read_text().splitlines()]
    assert len(results) == 20 and set(results[0]) == {"question", "answer", "score", "start", "end"}
    unlabelled = write_rows(tmp_path, [{k: r[k] for k in ("context", "question")} for r in rows], "new.jsonl")
    code, log = run_cli(
        "extractive-qa", "--predict", "--project-name", str(project), "--data-path", str(unlabelled / "new.jsonl")
    )
    assert code == 0 and "Scores" not in log
    again = [json.loads(line) for line in (project / "predictions_2.jsonl").read_text().splitlines()]
    assert [r["answer"] for r in again] == [r["answer"] for r in results]
