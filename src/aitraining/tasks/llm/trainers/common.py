"""What the LLM trainer modules share: loading/checking data, the prepared-data holder, LoRA dropout."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aitraining.data.loading import LoadedData, load_splits, require_columns

if TYPE_CHECKING:
    from aitraining.data.convert import Converted
    from aitraining.tasks.llm.params import LLMParams


@dataclass
class Prepared:
    train: Any
    valid: Any | None
    notes: list[str] = field(default_factory=list)
    max_length: int | None = None
    converted: Converted | None = None  # --auto-convert-dataset's result, saved into the project


def load_checked(params: LLMParams, columns: dict[str, str]) -> LoadedData:
    data = load_splits(params.data_path or "", params.train_split, params.valid_split, params.max_samples)
    require_columns(data.train, columns, split=params.train_split, source=data.source)
    if data.valid is not None:
        require_columns(data.valid, columns, split=str(params.valid_split), source=data.source)
    return data


def restore_lora_dropout(model: Any, params: LLMParams, logger: Any) -> int:
    """Put --lora-dropout back on the adapter after TRL's `disable_dropout` (on by default for dpo,
    orpo and reward) set every torch Dropout to 0, LoRA's included. Base-model dropout stays off, so
    the policy and its reference score the same text the same way. Returns how many layers were fixed.

    peft keeps each LoRA layer's dropout in a ModuleDict named `lora_dropout` (adapter name -> Dropout).
    Only the adapter being trained gets it: TRL's DPO keeps a frozen "ref" copy that must stay exact.
    """
    import torch

    if not params.peft or params.lora_dropout == 0:
        return 0
    trained = set(getattr(model, "active_adapters", None) or ["default"])
    restored = 0
    for module in model.modules():
        per_adapter = getattr(module, "lora_dropout", None)
        if not isinstance(per_adapter, torch.nn.ModuleDict):
            continue
        for adapter, dropout in per_adapter.items():
            if adapter in trained and isinstance(dropout, torch.nn.Dropout):
                dropout.p = params.lora_dropout
                restored += 1
    if restored:
        logger.info(
            f"LoRA dropout {params.lora_dropout} is active on {restored} adapter layers; "
            "base-model dropout is off (as TRL does for preference training)."
        )
    return restored
