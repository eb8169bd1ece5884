"""Parameters of `aitraining image-classification`: the common set plus image inputs, target, LoRA and
early stopping."""

from __future__ import annotations

from aitraining.params.supervised import TargetParams
from aitraining.params.vision import ImageCommandParams, ImageSizeParams


class ImageClassificationParams(TargetParams, ImageSizeParams, ImageCommandParams):
    """The image inputs, a class-label target and the image commands' shared defaults."""
