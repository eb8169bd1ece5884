"""generic: tokenize a text column and pack it into fixed blocks (EOS between documents)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aitraining.tasks.llm.params import LLMParams

from aitraining.data.mapping import tokenize_map

IGNORE = -100


def pack_blocks(token_lists: list[list[int]], block_size: int, pad_id: int) -> dict[str, list[list[int]]]:
    """Concatenate documents and cut into `block_size` blocks; the last block is padded, and
    padded positions get label -100 and attention 0, so padding never counts in the loss."""
    flat = [tok for toks in token_lists for tok in toks]
    out: dict[str, list[list[int]]] = {"input_ids": [], "attention_mask": [], "labels": []}
    for start in range(0, len(flat), block_size):
        block = flat[start : start + block_size]
        pad = block_size - len(block)
        out["input_ids"].append(block + [pad_id] * pad)
        out["attention_mask"].append([1] * len(block) + [0] * pad)
        out["labels"].append(block + [IGNORE] * pad)
    return out


def prepare(dataset: Any, params: LLMParams, tokenizer: Any, block_size: int) -> Any:
    eos = [tokenizer.eos_token_id] if params.add_eos_token and tokenizer.eos_token_id is not None else []
    column = params.text_column

    def tokenize_and_pack(batch: dict[str, list[Any]]) -> dict[str, list[list[int]]]:
        texts = ["" if t is None else str(t) for t in batch[column]]
        ids = tokenizer(texts, add_special_tokens=True)["input_ids"]
        return pack_blocks([doc + eos for doc in ids], block_size, tokenizer.pad_token_id)

    return tokenize_map(dataset, tokenize_and_pack, workers=params.num_workers, desc="Packing")
