"""Perplexity and multiple-choice accuracy from continuation log-likelihoods (loglik.py).

Benchmark scoring follows lm-evaluation-harness' `multiple_choice` output type: for each choice the summed
log-likelihood of " " + choice given the context; `acc` is 1 when the argmax of those is the answer, and
`acc_norm` when the argmax of log-likelihood / len(choice) is, the length being the choice string's length in
characters (without the leading space), as in its `process_results`. Ties go to the first choice (numpy argmax).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from aitraining.features.evaluation.benchmarks import Item
from aitraining.features.evaluation.loglik import Request, Scored, score


@dataclass(frozen=True)
class Scorer:
    """A model ready to score requests, with its batch size, pad id and length limit."""

    model: Any
    batch_size: int
    pad_id: int
    max_length: int

    def score(self, requests: list[Request]) -> list[Scored]:
        return score(self.model, requests, batch_size=self.batch_size, pad_id=self.pad_id, max_length=self.max_length)


def perplexity(scorer: Scorer, requests: list[Request]) -> dict[str, float]:
    """exp(total NLL / total scored tokens): token-weighted over every scored token of every example."""
    scored = scorer.score(requests)
    tokens = sum(s.tokens for s in scored)
    nll = -sum(s.logprob for s in scored)
    mean_nll = nll / max(tokens, 1)
    return {"perplexity": math.exp(min(mean_nll, 50.0)), "eval_nll": mean_nll, "eval_tokens": tokens}


def argmax(values: list[float]) -> int:
    best = 0
    for i, value in enumerate(values):
        if value > values[best]:
            best = i
    return best


def multiple_choice(scorer: Scorer, items: list[Item], requests: list[list[Request]]) -> dict[str, float]:
    """acc, acc_norm and n for one benchmark; `requests[i]` holds item i's choices in order."""
    flat = [r for per_item in requests for r in per_item]
    logliks = [s.logprob for s in scorer.score(flat)]
    acc = acc_norm = 0
    start = 0
    for item in items:
        lls = logliks[start : start + len(item.choices)]
        start += len(item.choices)
        acc += argmax(lls) == item.answer
        acc_norm += argmax([ll / len(choice) for ll, choice in zip(lls, item.choices, strict=True)]) == item.answer
    n = len(items)
    return {"acc": acc / n, "acc_norm": acc_norm / n, "n": n}
