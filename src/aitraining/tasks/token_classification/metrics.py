"""Scores of a tagger: entity-level (seqeval) for IOB-style tags, per-word otherwise.

Entity-level scoring counts an entity as found only when its whole span and type are right, which is what
NER users compare against. Tags that do not mark spans (part-of-speech: NN, VB ...) have no entities, so
they are scored per word instead; both report the same keys, so --early-stopping and the best-model choice
work on `eval_f1` either way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from aitraining.engine.metrics import classification_metrics, logits_of

IGNORED = -100  # the label of special tokens and of every sub-token after a word's first
MISSED = -1  # the "prediction" for a word cut off by --max-seq-length


def entity_metrics(true_tags: list[list[str]], predicted_tags: list[list[str]]) -> dict[str, float]:
    from seqeval.metrics import accuracy_score, classification_report, f1_score, precision_score, recall_score

    scores = {
        "precision": float(precision_score(true_tags, predicted_tags, zero_division=0)),
        "recall": float(recall_score(true_tags, predicted_tags, zero_division=0)),
        "f1": float(f1_score(true_tags, predicted_tags, zero_division=0)),
        "accuracy": float(accuracy_score(true_tags, predicted_tags)),
    }
    report = classification_report(true_tags, predicted_tags, output_dict=True, zero_division=0)
    for entity, row in report.items():
        if not entity.endswith(" avg"):  # per entity type, e.g. PER_f1
            scores[f"{entity}_f1"] = float(row["f1-score"])
    return scores


def predicted_words(predictions: Any, label_ids: np.ndarray) -> list[np.ndarray]:
    """Per row, the predicted label ids of the scored positions (each word's first sub-token)."""
    predicted = np.argmax(logits_of(predictions), axis=-1)
    return [row[labels != IGNORED] for row, labels in zip(predicted, label_ids, strict=True)]


def tagging_metrics(names: list[str], spans: bool, gold_rows: list[list[int]]) -> Callable[[Any], dict[str, float]]:
    """The Trainer's compute_metrics for a tagger with these tag names, scored against every word of the
    validation rows (`gold_rows`, tag ids): words cut off by --max-seq-length have no prediction and count
    as missed ("O" for entities, a wrong tag otherwise), as they would in use."""

    def compute(prediction: Any) -> dict[str, float]:
        rows = predicted_words(prediction.predictions, prediction.label_ids)
        pairs = zip(rows, gold_rows, strict=True)  # evaluation keeps the order of the validation rows
        predicted = [[int(i) for i in row] + [MISSED] * (len(gold) - len(row)) for row, gold in pairs]
        if spans:
            as_names = [[names[i] for i in row] for row in gold_rows]
            guessed = [[names[i] if i != MISSED else "O" for i in row] for row in predicted]  # a cut word: no entity
            return entity_metrics(as_names, guessed)
        flat_gold = np.concatenate([np.asarray(row, dtype=int) for row in gold_rows])
        flat_predicted = np.concatenate([np.asarray(row, dtype=int) for row in predicted])
        return classification_metrics(flat_gold, flat_predicted, names)

    return compute
