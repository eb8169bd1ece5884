"""What the LLM trainer modules share: loading/checking data and the prepared-data holder."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aitraining.data.loading import LoadedData, load_splits, require_columns


@dataclass
class Prepared:
    train: Any
    valid: Any | None
    notes: list[str] = field(default_factory=list)
    max_length: int | None = None


def load_checked(params: Any, columns: dict[str, str]) -> LoadedData:
    data = load_splits(params.data_path, params.train_split, params.valid_split, params.max_samples)
    require_columns(data.train, columns, split=params.train_split, source=data.source)
    if data.valid is not None:
        require_columns(data.valid, columns, split=str(params.valid_split), source=data.source)
    return data
