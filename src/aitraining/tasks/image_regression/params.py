"""Parameters of `aitraining image-regression`: the common set plus image inputs, a numeric target, LoRA and
early stopping."""

from __future__ import annotations

from aitraining.params.fields import retuned
from aitraining.params.groups import CommonParams
from aitraining.params.supervised import TargetParams
from aitraining.params.vision import ImageCommandParams, ImageSizeParams


class ImageRegressionParams(TargetParams, ImageSizeParams, ImageCommandParams):
    # AutoTrain's image-regression defaults
    lr: float = retuned(CommonParams, "lr", 5e-5)
    epochs: int = retuned(CommonParams, "epochs", 3)
    batch_size: int = retuned(CommonParams, "batch_size", 8)
    gradient_accumulation: int = retuned(CommonParams, "gradient_accumulation", 1)

    def check(self) -> None:
        self.check_peft()
