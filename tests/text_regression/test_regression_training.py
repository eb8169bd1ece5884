"""text-regression learns a synthetic rating task end to end and the saved model reloads with transformers."""

from __future__ import annotations

import json

from regression_helpers import synthetic_rows, write_jsonl

from aitraining.tasks.text_regression.params import TextRegressionParams

FAST = ["--disable-gradient-checkpointing", "--batch-size", "16", "--logging-steps", "5"]


def test_autotrain_defaults_and_flags(run_cli):
    defaults = TextRegressionParams()
    assert (defaults.lr, defaults.epochs, defaults.batch_size, defaults.gradient_accumulation) == (5e-5, 3, 8, 1)
    code, out = run_cli("text-regression", "--help")
    assert code == 0
    for flag in ("--text-column", "--target-column", "--max-seq-length", "--early-stopping-patience", "--lr"):
        assert flag in out


def test_learns_ratings_and_reloads(tmp_path, tiny_encoder, run_cli):
    data = write_jsonl(tmp_path / "data" / "train.jsonl", synthetic_rows(200, seed=2)).parent
    project = tmp_path / "project"
    code, log = run_cli(
        "text-regression", "--train", "--model", tiny_encoder, "--data-path", data, "--project-name", project,
        "--text-column", "review", "--target-column", "score", "--lr", "3e-3", "--epochs", "4",
        "--early-stopping-patience", "2", *FAST,
    )  # fmt: skip
    assert code == 0, log
    assert "holding out a seeded 20% of the training data" in log
    metrics = json.loads((project / "metrics.json").read_text())
    final = metrics["final"]
    assert final["eval_r2"] > 0.5 and final["eval_pearson"] > 0.8, final
    # The kept model is the best evaluation, not the last one.
    assert final["eval_rmse"] == min(e["eval_rmse"] for e in metrics["history"] if "eval_rmse" in e)
    assert "eval_rmse" in (project / "README.md").read_text()
    assert_predicts_ratings(project)


def assert_predicts_ratings(project) -> None:
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    model = AutoModelForSequenceClassification.from_pretrained(project).eval()
    tokenizer = AutoTokenizer.from_pretrained(project)
    assert model.config.problem_type == "regression" and model.config.id2label == {0: "score"}
    texts = ["the lamp is terrible", "a average desk overall", "my new camera feels excellent to me"]
    with torch.no_grad():
        predicted = model(**tokenizer(texts, return_tensors="pt", padding=True)).logits[:, 0].tolist()
    for value, target in zip(predicted, (1.0, 3.0, 5.0), strict=True):
        assert abs(value - target) < 1.0, predicted
