"""Token-level helpers shared by the commands that train on rendered text (llm, vlm): the common prefix of two
renderings (where an answer starts), right-padding token lists into a batch, and the loss-mask display of
--preview-data."""

from __future__ import annotations

from typing import Any

OPEN, CLOSE = "[[", "]]"


def common_prefix(a: list[int], b: list[int]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def right_pad(sequences: list[list[int]], pad_id: int, device: Any = None) -> tuple[Any, Any]:
    """(input ids, attention mask) as long tensors, each sequence right-padded with `pad_id` to the longest."""
    return _pad(sequences, pad_id, device, left=False)


def left_pad(sequences: list[list[int]], pad_id: int, device: Any = None) -> tuple[Any, Any]:
    """The same, left-padded: every sequence ends at the same column (where generation continues)."""
    return _pad(sequences, pad_id, device, left=True)


def _pad(sequences: list[list[int]], pad_id: int, device: Any, *, left: bool) -> tuple[Any, Any]:
    import torch

    width = max(len(s) for s in sequences)
    ids = torch.full((len(sequences), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(sequences), width), dtype=torch.long)
    for row, seq in enumerate(sequences):
        if seq:
            span = slice(width - len(seq), width) if left else slice(0, len(seq))
            ids[row, span] = torch.tensor(seq, dtype=torch.long)
            mask[row, span] = 1
    return ids.to(device), mask.to(device)


def decode(tokenizer: Any, ids: list[int]) -> str:
    return tokenizer.decode(ids, skip_special_tokens=False, clean_up_tokenization_spaces=False)


def mark_loss(tokenizer: Any, ids: list[int], trained: list[bool]) -> str:
    """The decoded tokens with every run of trained tokens wrapped in [[ ]]."""
    pieces: list[str] = []
    run: list[int] = []
    for index, token in enumerate(ids):
        run.append(token)
        if index + 1 == len(ids) or trained[index + 1] != trained[index]:
            text = decode(tokenizer, run)
            pieces.append(f"{OPEN}{text}{CLOSE}" if trained[index] else text)
            run = []
    return "".join(pieces)
