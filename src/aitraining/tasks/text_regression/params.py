"""Parameters of `aitraining text-regression`: the common set plus text input, numeric target and early stopping."""

from __future__ import annotations

from aitraining.params.crosscutting import SweepParams
from aitraining.params.fields import retuned
from aitraining.params.groups import CommonParams
from aitraining.params.supervised import EarlyStoppingParams, TargetParams, TextInputParams


class TextRegressionParams(EarlyStoppingParams, TargetParams, TextInputParams, SweepParams, CommonParams):
    # AutoTrain's text-regression defaults, which users of that family already know.
    lr: float = retuned(CommonParams, "lr", 5e-5)
    epochs: int = retuned(CommonParams, "epochs", 3)
    batch_size: int = retuned(CommonParams, "batch_size", 8)
    gradient_accumulation: int = retuned(CommonParams, "gradient_accumulation", 1)
