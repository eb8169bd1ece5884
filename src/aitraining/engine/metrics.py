"""Standard metrics computed with scikit-learn / scipy (never `evaluate.load`, which needs the Hub)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np


def classification_metrics(labels: np.ndarray, predictions: np.ndarray, names: Sequence[str]) -> dict[str, float]:
    """Accuracy, and precision / recall / F1 macro-averaged over the classes `names` (ids 0..n-1).

    The macro averages mean the same for two classes as for ten, and they are what picks the kept checkpoint.
    With two classes the positive class's own scores come too, named after it: `f1_<name>` (the second
    class: 1, 'positive', 'true'...). A prediction outside 0..n-1 (a word the model never saw) counts as wrong.
    """
    from sklearn.metrics import accuracy_score, precision_recall_fscore_support

    classes = list(range(len(names)))
    precision, recall, f1, _ = precision_recall_fscore_support(
        labels, predictions, labels=classes, average="macro", zero_division=0
    )
    out = {
        "accuracy": float(accuracy_score(labels, predictions)),
        "precision": float(precision),
        "recall": float(recall),
        "f1": float(f1),
    }
    if len(names) == 2:
        scores = precision_recall_fscore_support(labels, predictions, labels=[1], average=None, zero_division=0)
        name = metric_name(names[1])
        for key, values in zip(("precision", "recall", "f1"), scores[:3], strict=True):
            out[f"{key}_{name}"] = float(values[0])
    return out


def metric_name(label: str) -> str:
    """A class name usable inside a metric key (eval_f1_<name>): letters, digits, '-' and '_'."""
    return re.sub(r"[^0-9A-Za-z_-]+", "_", str(label)).strip("_") or "class1"


def binary_note(names: Sequence[str]) -> str:
    """Says which class the binary scores treat as positive."""
    name = metric_name(names[1])
    return (
        f"Two classes: precision, recall and f1 are macro averages over both (f1 picks the kept checkpoint); "
        f"precision_{name}, recall_{name} and f1_{name} treat '{names[1]}' as the positive class."
    )


def regression_metrics(targets: np.ndarray, predictions: np.ndarray) -> dict[str, float]:
    from scipy.stats import pearsonr, spearmanr
    from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score

    targets, predictions = np.asarray(targets, dtype=float).ravel(), np.asarray(predictions, dtype=float).ravel()
    mse = float(mean_squared_error(targets, predictions))
    constant = np.std(predictions) == 0 or np.std(targets) == 0
    return {
        "mse": mse,
        "rmse": float(np.sqrt(mse)),
        "mae": float(mean_absolute_error(targets, predictions)),
        "r2": float(r2_score(targets, predictions)),
        "pearson": 0.0 if constant else float(pearsonr(targets, predictions)[0]),
        "spearman": 0.0 if constant else float(spearmanr(targets, predictions)[0]),
    }


def logits_of(predictions: Any) -> np.ndarray:
    """Model outputs may be a tuple (logits, hidden states...): keep the logits."""
    return predictions[0] if isinstance(predictions, tuple) else predictions


class _UnicodeWords:
    """ROUGE tokenizer that keeps every script's letters (rouge-score's default keeps only a-z and 0-9)."""

    def tokenize(self, text: str) -> list[str]:
        return re.findall(r"\w+", text.lower())


def _rouge_scorer(references: list[str]) -> Any:
    """rouge-score's standard scorer (stemmed English words), unless it would drop words of the references:
    for Cyrillic, Greek, CJK, ... targets it sees nothing and every score would be 0."""
    from rouge_score import rouge_scorer, tokenize

    kinds = ["rouge1", "rouge2", "rougeL", "rougeLsum"]
    kept = sum(len(tokenize.tokenize(text, None)) for text in references)
    words = sum(len(_UnicodeWords().tokenize(text)) for text in references)
    if kept >= 0.9 * words:
        return rouge_scorer.RougeScorer(kinds, use_stemmer=True)
    return rouge_scorer.RougeScorer(kinds, tokenizer=_UnicodeWords())


def generation_metrics(predictions: list[str], references: list[str]) -> dict[str, float]:
    """ROUGE-1/2/L/Lsum F-measures (rouge-score) and corpus BLEU (sacrebleu), all in [0, 1].

    BLEU is divided by 100 so every metric of the project reads on the same 0-1 scale.
    """
    import sacrebleu

    scorer = _rouge_scorer(references)
    kinds = ("rouge1", "rouge2", "rougeL", "rougeLsum")
    totals = dict.fromkeys(kinds, 0.0)
    for prediction, reference in zip(predictions, references, strict=True):
        # rougeLsum splits summaries into sentences on newlines; one-line texts score like rougeL
        scores = scorer.score(reference, prediction)
        for kind in kinds:
            totals[kind] += scores[kind].fmeasure
    count = max(len(predictions), 1)
    out = {kind: total / count for kind, total in totals.items()}
    out["bleu"] = float(sacrebleu.corpus_bleu(predictions, [references]).score) / 100
    return out
