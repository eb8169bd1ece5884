"""A text-classification sweep: a small grid (every point once, metric by its short name) and, slow, a 4-trial
optuna search; the best model at the top level reloads with a transformers pipeline."""

import json
import random

import pytest
from sweep_helpers import check_results, table

POS = ["great", "wonderful", "excellent", "lovely", "superb"]
NEG = ["awful", "terrible", "horrible", "dreadful", "boring"]


@pytest.fixture(scope="module")
def sentiment(tmp_path_factory):
    from aitraining.testing import make_tiny_encoder

    folder = tmp_path_factory.mktemp("sentiment")
    rng = random.Random(0)
    rows = []
    for _ in range(64):
        label = rng.choice(["positive", "negative"])
        rows.append({"text": f"the movie was {rng.choice(POS if label == 'positive' else NEG)}", "target": label})
    (folder / "train.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return make_tiny_encoder(folder / "model"), folder


def text_argv(sentiment, project, *extra):
    model, data = sentiment
    fast = ["--batch-size", "16", "--gradient-accumulation", "1", "--epochs", "1", "--max-seq-length", "16"]
    return ["text-classification", "--train", "--model", model, "--data-path", data, "--project-name", project,
            *fast, "--save-strategy", "no", "--use-sweep", *extra]  # fmt: skip


def test_text_classification_grid_runs_each_point_once(run_cli, sentiment, tmp_path):
    from transformers import pipeline

    project = tmp_path / "grid"
    space = json.dumps({"lr": [1e-4, 3e-3]})
    options = ["--sweep-backend", "grid", "--sweep-metric", "f1", "--sweep-direction", "maximize"]
    code, out = run_cli(*text_argv(sentiment, project, *options, "--sweep-params", space))
    assert code == 0, out
    assert "the grid has 2 points; running all 2 (--sweep-n-trials 10)" in out
    assert "optimising eval_f1 (maximize)" in out
    rows = check_results(project, "eval_f1", n_complete=2)
    assert sorted(r["params"]["lr"] for r in rows) == [1e-4, 3e-3]
    best = max(rows, key=lambda r: r["metric"])
    assert f"best trial {best['number']}" in out
    classify = pipeline("text-classification", model=str(project), tokenizer=str(project))
    assert classify("the movie was great")[0]["label"] in ("positive", "negative")


@pytest.mark.slow
def test_text_classification_optuna_sweep_of_four_trials(run_cli, sentiment, tmp_path):
    project = tmp_path / "optuna"
    space = json.dumps({"lr": {"type": "loguniform", "low": 1e-4, "high": 5e-3}, "weight_decay": [0.0, 0.01]})
    code, out = run_cli(*text_argv(sentiment, project, "--sweep-n-trials", "4", "--sweep-params", space))
    assert code == 0, out
    rows = table(project)
    assert len(rows) == 4 and all(r["state"] in ("complete", "pruned") for r in rows), rows
