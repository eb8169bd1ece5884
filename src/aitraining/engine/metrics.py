"""Standard metrics computed with scikit-learn / scipy (never `evaluate.load`, which needs the Hub)."""

from __future__ import annotations

import re
from typing import Any

import numpy as np


def classification_metrics(labels: np.ndarray, predictions: np.ndarray, num_classes: int) -> dict[str, float]:
    from sklearn.metrics import accuracy_score, precision_recall_fscore_support

    average = "binary" if num_classes == 2 else "macro"
    precision, recall, f1, _ = precision_recall_fscore_support(labels, predictions, average=average, zero_division=0)
    return {
        "accuracy": float(accuracy_score(labels, predictions)),
        "precision": float(precision),
        "recall": float(recall),
        "f1": float(f1),
    }


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
