"""Question + context -> overlapping token windows, and start/end logits -> answer text.

Training, evaluation and `--predict` all go through these two functions, so the spans the model learns
are exactly the spans it is scored and used on. A context longer than one window is cut into windows
that overlap by the stride; an answer not wholly inside a window (or no answer at all) points at the
CLS token there, which is how the model learns to say "not in this window".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from aitraining.errors import DataError

N_BEST = 20  # start and end candidates looked at per window


@dataclass(frozen=True)
class Span:
    text: str
    score: float  # probability of this start and end within its window
    start: int  # character offsets in the context; -1 for "no answer"
    end: int


def encode_windows(
    tokenizer: Any, questions: Sequence[str], contexts: Sequence[str], max_seq_length: int, stride: int
) -> dict[str, list]:
    """Tokenize into windows. Besides the model inputs: `example` (index of each window's question),
    `offsets` (character span per token, None outside the context so it can never be an answer) and
    `cls` (the token standing for "no answer")."""
    questions = [q.lstrip() for q in questions]  # leading spaces only waste window room
    _check_room(tokenizer, questions, max_seq_length, stride)
    question_first = tokenizer.padding_side == "right"
    pair = (questions, contexts) if question_first else (contexts, questions)
    encoded = tokenizer(
        *pair,
        truncation="only_second" if question_first else "only_first",
        max_length=max_seq_length,
        stride=stride,
        return_overflowing_tokens=True,
        return_offsets_mapping=True,
    )
    context_id = 1 if question_first else 0
    offsets = []
    for index, window in enumerate(encoded.pop("offset_mapping")):
        ids = encoded.sequence_ids(index)
        offsets.append([tuple(span) if ids[k] == context_id else None for k, span in enumerate(window)])
    out = dict(encoded)
    out["example"] = out.pop("overflow_to_sample_mapping")
    out["offsets"] = offsets
    # where "no answer" points; BERT-like models put CLS first, others may have none (then token 0)
    out["cls"] = [ids.index(tokenizer.cls_token_id) if tokenizer.cls_token_id in ids else 0 for ids in out["input_ids"]]
    return out


def _check_room(tokenizer: Any, questions: list[str], max_seq_length: int, stride: int) -> None:
    """A question too long for the window leaves no room for context; tokenizers would fail obscurely."""
    special = tokenizer.num_special_tokens_to_add(pair=True)
    lengths = [len(ids) for ids in tokenizer(questions, add_special_tokens=False)["input_ids"]]
    for question, length in zip(questions, lengths, strict=True):
        if max_seq_length - special - length <= stride:
            raise DataError(
                f"The question {question[:80]!r} is {length} tokens long: with --max-seq-length {max_seq_length} "
                f"and --max-doc-stride {stride} no context fits beside it. Raise --max-seq-length, lower "
                "--max-doc-stride, or shorten the question."
            )


def answer_positions(offsets: list[Any], cls_index: int, start_char: int | None, end_char: int) -> tuple[int, int]:
    """Token start/end of the answer characters [start_char, end_char) in one window; CLS when the window
    does not hold the whole answer or there is none (start_char None)."""
    context = [k for k, span in enumerate(offsets) if span is not None]
    if start_char is None or not context:
        return cls_index, cls_index
    if offsets[context[0]][0] > start_char or offsets[context[-1]][1] < end_char:
        return cls_index, cls_index
    start = max(k for k in context if offsets[k][0] <= start_char)
    end = min(k for k in context if offsets[k][1] >= end_char)
    return start, end


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max())
    return shifted / shifted.sum()


def _window_best(
    start_logits: np.ndarray, end_logits: np.ndarray, offsets: list[Any], max_answer_tokens: int
) -> tuple[float, int, int] | None:
    """(start + end logit, start token, end token) of the best valid span in one window, or None."""
    best = None
    starts = np.argsort(start_logits)[::-1][:N_BEST]
    ends = np.argsort(end_logits)[::-1][:N_BEST]
    for s in starts:
        for e in ends:
            if offsets[s] is None or offsets[e] is None or e < s or e - s + 1 > max_answer_tokens:
                continue
            score = float(start_logits[s] + end_logits[e])
            if best is None or score > best[0]:
                best = (score, int(s), int(e))
    return best


def best_spans(
    start_logits: Sequence[np.ndarray],
    end_logits: Sequence[np.ndarray],
    windows: dict[str, list],
    contexts: Sequence[str],
    *,
    max_answer_tokens: int,
    allow_empty: bool,
) -> list[Span]:
    """The best answer per question over all its windows (highest start + end logit).

    With `allow_empty`, "no answer" (CLS) wins when its score beats every span, as in SQuAD 2.0.
    Logits may be padded past a window's length (batched evaluation); the padding is ignored.
    """
    best: dict[int, tuple[float, Span]] = {}
    null: dict[int, tuple[float, Span]] = {}
    for w, example in enumerate(windows["example"]):
        offsets = windows["offsets"][w]
        start = np.asarray(start_logits[w], dtype=float)[: len(offsets)]
        end = np.asarray(end_logits[w], dtype=float)[: len(offsets)]
        p_start, p_end = _softmax(start), _softmax(end)
        cls = windows["cls"][w]
        null_score = float(start[cls] + end[cls])
        if example not in null or null_score < null[example][0]:
            null[example] = (null_score, Span("", float(p_start[cls] * p_end[cls]), -1, -1))
        candidate = _window_best(start, end, offsets, max_answer_tokens)
        if candidate is not None and (example not in best or candidate[0] > best[example][0]):
            score, s, e = candidate
            first, last = offsets[s][0], offsets[e][1]
            best[example] = (score, Span(contexts[example][first:last], float(p_start[s] * p_end[e]), first, last))
    return [_choose(best.get(i), null.get(i), allow_empty) for i in range(len(contexts))]


def _choose(answer: tuple[float, Span] | None, null: tuple[float, Span] | None, allow_empty: bool) -> Span:
    if answer is not None and not (allow_empty and null is not None and null[0] > answer[0]):
        return answer[1]
    return null[1] if null is not None else Span("", 0.0, -1, -1)
