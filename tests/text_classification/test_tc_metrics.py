"""Binary scores name their positive class; the kept checkpoint is described with the split that chose it."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from aitraining.engine.metrics import binary_note, classification_metrics
from aitraining.engine.selection import Selection, selection_report


def test_binary_scores_are_macro_and_name_the_positive_class():
    names = ["ham", "spam"]
    labels = np.array([0, 0, 0, 0, 1, 1])
    predicted = np.array([0, 0, 0, 1, 1, 0])
    scores = classification_metrics(labels, predicted, names)
    # spam (the positive class): precision 1/2, recall 1/2; ham: precision 3/4, recall 3/4
    assert scores["f1_spam"] == pytest.approx(0.5)
    assert scores["precision_spam"] == pytest.approx(0.5) and scores["recall_spam"] == pytest.approx(0.5)
    assert scores["f1"] == pytest.approx((0.5 + 0.75) / 2)  # macro: both classes count alike
    assert "treat 'spam' as the positive class" in binary_note(names)


def test_multiclass_scores_have_no_positive_class():
    scores = classification_metrics(np.array([0, 1, 2]), np.array([0, 1, 1]), ["a", "b", "c"])
    assert set(scores) == {"accuracy", "precision", "recall", "f1"}


def test_selection_report_names_the_step_and_the_split():
    state = SimpleNamespace(best_global_step=30, best_metric=0.81, global_step=50)
    args = SimpleNamespace(load_best_model_at_end=True)
    report = selection_report(state, Selection("eval_f1", True), args, "the validation split 'dev'")
    assert report.record == {
        "metric": "eval_f1",
        "greater_is_better": True,
        "split": "the validation split 'dev'",
        "kept": "best",
        "step": 30,
        "value": 0.81,
    }
    assert "step 30, the highest eval_f1 (0.8100) on the validation split 'dev'" in report.line
    last = selection_report(state, Selection("eval_f1", True), SimpleNamespace(load_best_model_at_end=False), "x")
    assert last.record["kept"] == "last" and last.record["step"] == 50
