"""Parameters of `aitraining object-detection`: the common set plus images, objects, the square size, LoRA
and early stopping."""

from __future__ import annotations

from aitraining.params.fields import param, retuned
from aitraining.params.groups import CommonParams
from aitraining.params.supervised import INPUTS
from aitraining.params.vision import ImageCommandParams


class ObjectDetectionParams(ImageCommandParams):
    objects_column: str = param(
        "objects",
        "Column holding each image's objects: {bbox: [[x, y, w, h], ...], category: [...]}, COCO boxes in "
        "pixels, categories as names or integer ids. An image may have no objects.",
        group=INPUTS,
    )
    image_square_size: int = param(
        600,
        "Images are resized to this many pixels square for training (boxes scale with them); predictions are "
        "mapped back to each original image's coordinates.",
        group=INPUTS,
        ge=16,
    )

    # AutoTrain's object-detection defaults
    lr: float = retuned(CommonParams, "lr", 5e-5)
    epochs: int = retuned(CommonParams, "epochs", 3)
    batch_size: int = retuned(CommonParams, "batch_size", 8)
    gradient_accumulation: int = retuned(CommonParams, "gradient_accumulation", 1)

    def check(self) -> None:
        self.check_peft()
