"""Parameters of `aitraining object-detection`: the common set plus images, objects, the square size, LoRA
and early stopping."""

from __future__ import annotations

from aitraining.params.fields import param
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
