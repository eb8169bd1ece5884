"""Metrics on generated text against one reference per example: BLEU, ROUGE, exact match and token F1.

- BLEU: sacrebleu's corpus BLEU (its default 13a tokenisation, exponential smoothing), on sacrebleu's 0-100 scale.
- ROUGE: rouge-score's rouge1/rouge2/rougeL F-measure (no stemming, the library's default), averaged over
  examples, 0-1.
- exact match and F1: the SQuAD v1.1 definitions (Rajpurkar et al. 2016, the official `evaluate-v1.1.py`):
  answers are lower-cased, punctuation and the articles a/an/the removed and whitespace collapsed; exact match
  is 1 when the normalised strings are equal, F1 is the harmonic mean of the token precision and recall of the
  normalised tokens (bag-of-words overlap). Both averaged over examples, 0-1.
"""

from __future__ import annotations

import re
import string
from collections import Counter

ROUGE_TYPES = ("rouge1", "rouge2", "rougeL")
_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCTUATION = set(string.punctuation)


def normalize_answer(text: str) -> str:
    """SQuAD v1.1 normalisation: lower case, no punctuation, no articles, single spaces."""
    text = "".join(ch for ch in text.lower() if ch not in _PUNCTUATION)
    return " ".join(_ARTICLES.sub(" ", text).split())


def exact_match(prediction: str, reference: str) -> float:
    return float(normalize_answer(prediction) == normalize_answer(reference))


def token_f1(prediction: str, reference: str) -> float:
    predicted, expected = normalize_answer(prediction).split(), normalize_answer(reference).split()
    if not predicted or not expected:  # SQuAD 2.0's rule for empty answers: 1 only when both are empty
        return float(predicted == expected)
    common = sum((Counter(predicted) & Counter(expected)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(predicted), common / len(expected)
    return 2 * precision * recall / (precision + recall)


def bleu(predictions: list[str], references: list[str]) -> float:
    import sacrebleu

    return float(sacrebleu.corpus_bleu(predictions, [references]).score)


def rouge(predictions: list[str], references: list[str]) -> dict[str, float]:
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(list(ROUGE_TYPES), use_stemmer=False)
    totals = dict.fromkeys(ROUGE_TYPES, 0.0)
    for prediction, reference in zip(predictions, references, strict=True):
        scores = scorer.score(reference, prediction)  # rouge-score takes (target, prediction)
        for name in ROUGE_TYPES:
            totals[name] += scores[name].fmeasure
    return {name: total / max(len(predictions), 1) for name, total in totals.items()}


def mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def text_metrics(names: list[str], predictions: list[str], references: list[str]) -> dict[str, float]:
    """The requested generation metrics except bertscore (which needs a model: see bertscore.py)."""
    out: dict[str, float] = {}
    if "bleu" in names:
        out["bleu"] = bleu(predictions, references)
    if "rouge" in names:
        out.update(rouge(predictions, references))
    if "exact_match" in names:
        out["exact_match"] = mean([exact_match(p, r) for p, r in zip(predictions, references, strict=True)])
    if "f1" in names:
        out["f1"] = mean([token_f1(p, r) for p, r in zip(predictions, references, strict=True)])
    return out
