"""Card, pictures and the kept model for a text task (best checkpoint by its F1) and for tabular (best trial)."""

import json
import random

import pandas as pd
from card_helpers import assert_common_card, assert_png, front_matter, run_usage

from aitraining.cli.main import main
from aitraining.testing import make_tiny_encoder

POS = ["great", "wonderful", "excellent", "lovely", "superb"]
NEG = ["awful", "terrible", "horrible", "dreadful", "boring"]


def sentiment(n, seed):
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        label = rng.choice(["positive", "negative"])
        rows.append({"text": f"the show was {rng.choice(POS if label == 'positive' else NEG)}", "target": label})
    return rows


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert code == 0, err
    return out + err


def test_text_classification_card_plots_and_best_f1(capsys, tmp_path):
    model = make_tiny_encoder(tmp_path / "enc")
    data = tmp_path / "d"
    data.mkdir()
    for split, n, seed in (("train", 120, 0), ("valid", 30, 1)):
        rows = sentiment(n, seed)
        (data / f"{split}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    project = tmp_path / "p"
    log = run(
        capsys, "text-classification", "--train", "--model", model, "--data-path", data, "--valid-split", "valid",
        "--project-name", project, "--epochs", "4", "--lr", "1e-3", "--max-seq-length", "16", "--batch-size", "8",
        "--gradient-accumulation", "1",
    )  # fmt: skip
    metrics = json.loads((project / "metrics.json").read_text())
    f1 = {h["step"]: h["eval_f1"] for h in metrics["history"] if "eval_f1" in h}
    best_step = max(f1, key=f1.get)
    assert metrics["best"]["metric"] == "eval_f1" and metrics["best"]["step"] == best_step, (f1, metrics["best"])
    assert metrics["final"]["eval_f1"] == f1[best_step]  # the kept model is the one evaluated best
    assert f"best checkpoint by eval_f1: step {best_step} of" in log
    assert_png(project / "loss_curve.png")
    assert_png(project / "eval_f1.png")
    card = assert_common_card(project)
    meta = front_matter(card)
    assert meta["pipeline_tag"] == "text-classification" and meta["library_name"] == "transformers"
    assert "![eval f1](eval_f1.png)" in card and 'text_column = `"text"`' in card
    assert "positive" in run_usage(card) or "negative" in run_usage(card)


def test_tabular_card_search_curve_and_best_trial(capsys, tmp_path, monkeypatch):
    from sklearn.datasets import load_breast_cancer

    frame = load_breast_cancer(as_frame=True).frame.rename(columns={"target": "diagnosis"})
    frame["diagnosis"] = frame["diagnosis"].map({0: "malignant", 1: "benign"})
    data = tmp_path / "d"
    data.mkdir()
    frame.iloc[:400].to_csv(data / "train.csv", index=False)
    frame.iloc[400:].to_csv(data / "valid.csv", index=False)
    project = tmp_path / "p"
    run(
        capsys, "tabular", "--train", "--data-path", data, "--project-name", project, "--target-columns",
        "diagnosis", "--valid-split", "valid", "--num-trials", "4", "--model", "random_forest",
    )  # fmt: skip
    metrics = json.loads((project / "metrics.json").read_text())
    trials = pd.read_csv(project / "trials.csv")
    best = int(trials.loc[trials["value"].idxmin(), "trial"])
    assert metrics["search"]["best_trial"] == best
    assert_png(project / "search_curve.png")
    card = assert_common_card(project)
    meta = front_matter(card)
    assert meta["library_name"] == "sklearn" and meta["pipeline_tag"] == "tabular-classification"
    assert "base_model" not in meta and f"is the best trial, {best}," in card
    assert "![search curve](search_curve.png)" in card and "![Feature importance]" in card
    frame.iloc[400:].drop(columns=["diagnosis"]).to_csv(tmp_path / "new.csv", index=False)
    monkeypatch.chdir(tmp_path)
    printed = run_usage(card)
    assert "benign" in printed and "malignant" in printed
