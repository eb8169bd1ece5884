"""Greedy generation for the text metrics: batched, left-padded, new tokens decoded without special tokens."""

from __future__ import annotations

from typing import Any

from aitraining.engine.tokens import left_pad
from aitraining.features.evaluation.loglik import batches


def generate(
    model: Any, tokenizer: Any, prompts: list[list[int]], *, batch_size: int, max_new_tokens: int, max_length: int
) -> list[str]:
    """One greedy reply per prompt (prompt ids as the prompt rule renders them); a prompt longer than
    `max_length - max_new_tokens` (--model-max-length) keeps its end."""
    import torch

    room = max_length - max_new_tokens
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    replies: list[str] = []
    for chunk in batches([p[-room:] if room > 0 else p for p in prompts], batch_size):
        ids, mask = left_pad(chunk, pad_id, model.device)
        with torch.no_grad():
            out = model.generate(
                input_ids=ids, attention_mask=mask, max_new_tokens=max_new_tokens, do_sample=False, pad_token_id=pad_id
            )
        new = out[:, ids.shape[1] :]
        replies += [tokenizer.decode(row, skip_special_tokens=True).strip() for row in new]
    return replies
