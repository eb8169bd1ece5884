"""Sequence-length limits and the truncation report (lengths are never cut silently)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aitraining.tasks.llm.params import LLMParams


def effective_block_size(params: LLMParams, tokenizer: Any, model_config: Any, logger: Any) -> int:
    """block_size capped by model_max_length and the model's position limit, with the reason logged."""
    limits = {"--block-size": params.block_size, "--model-max-length": params.model_max_length}
    positions = getattr(model_config, "max_position_embeddings", None)
    if positions:
        limits["the model's max_position_embeddings"] = positions
    source, size = min(limits.items(), key=lambda kv: kv[1])
    if size < params.block_size:
        logger.info(f"Sequence length capped at {size} tokens by {source} (--block-size was {params.block_size}).")
    return size


@dataclass
class TruncationReport:
    split: str
    rows: int = 0
    truncated: int = 0
    dropped: int = 0
    longest: int = 0

    def add(self, length: int, limit: int) -> None:
        self.rows += 1
        self.longest = max(self.longest, length)
        if length > limit:
            self.truncated += 1

    def message(self, limit: int) -> str:
        text = f"{self.split}: {self.rows} rows, longest {self.longest} tokens"
        if self.truncated:
            text += f"; {self.truncated} rows longer than {limit} tokens were truncated"
        if self.dropped:
            text += f"; {self.dropped} rows dropped (no trainable tokens left after truncation)"
        return text + "."
