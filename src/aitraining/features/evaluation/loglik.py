"""Log-likelihood of continuations given contexts: what perplexity and the benchmark scorer both need.

Each request is (context ids, continuation ids); the model reads context + continuation once and the
log-probabilities of the continuation's tokens are summed (as lm-evaluation-harness' `loglikelihood`). Too
long requests lose context tokens from the left, never continuation tokens (the continuation keeps at most
`max_length - 1` tokens).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aitraining.engine.tokens import right_pad

Request = tuple[list[int], list[int]]


@dataclass(frozen=True)
class Scored:
    logprob: float  # summed log-probability of the continuation tokens
    tokens: int  # how many continuation tokens were scored


def fit(request: Request, max_length: int) -> tuple[list[int], int]:
    """The sequence the model reads and where the continuation starts in it."""
    context, continuation = request
    continuation = continuation[-(max_length - 1) :] if len(continuation) >= max_length else continuation
    room = max_length - len(continuation)
    context = context[-room:] if context else []
    return context + continuation, len(context)


def batches(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def score(model: Any, requests: list[Request], *, batch_size: int, pad_id: int, max_length: int) -> list[Scored]:
    """Summed continuation log-probabilities, one per request, in order."""
    import torch

    out: list[Scored] = []
    for chunk in batches(requests, batch_size):
        fitted = [fit(r, max_length) for r in chunk]
        ids, mask = right_pad([seq for seq, _ in fitted], pad_id, model.device)
        with torch.no_grad():
            logits = model(input_ids=ids, attention_mask=mask).logits.float()
        logprobs = torch.log_softmax(logits[:, :-1], dim=-1).gather(-1, ids[:, 1:].unsqueeze(-1)).squeeze(-1)
        for row, (seq, start) in enumerate(fitted):
            first = max(start, 1)  # the first token of a sequence has nothing to be predicted from
            out.append(Scored(float(logprobs[row, first - 1 : len(seq) - 1].sum()), len(seq) - first))
    return out


def first_batch_logits(model: Any, requests: list[Request], *, batch_size: int, pad_id: int, max_length: int) -> Any:
    """The logits of the first batch's real (unpadded) positions, for comparing two models on the same input."""
    import torch

    chunk = [fit(r, max_length)[0] for r in requests[:batch_size]]
    ids, mask = right_pad(chunk, pad_id, model.device)
    with torch.no_grad():
        logits = model(input_ids=ids, attention_mask=mask).logits.float()
    return logits[mask.bool()].cpu()
