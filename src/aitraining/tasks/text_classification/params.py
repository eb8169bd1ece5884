"""Parameters of `aitraining text-classification`: the common set plus inputs, target and early stopping."""

from __future__ import annotations

from aitraining.params.crosscutting import SweepParams
from aitraining.params.fields import retuned
from aitraining.params.groups import CommonParams
from aitraining.params.supervised import EarlyStoppingParams, TargetParams, TextInputParams


class TextClassificationParams(EarlyStoppingParams, TargetParams, TextInputParams, SweepParams, CommonParams):
    lr: float = retuned(CommonParams, "lr", 5e-5)
    epochs: int = retuned(CommonParams, "epochs", 3)
    batch_size: int = retuned(CommonParams, "batch_size", 8)
    gradient_accumulation: int = retuned(CommonParams, "gradient_accumulation", 1)
