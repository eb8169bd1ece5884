"""Parameters of `aitraining image-regression`: the common set plus image inputs, a numeric target, LoRA and
early stopping."""

from __future__ import annotations

from aitraining.params.supervised import TargetParams
from aitraining.params.vision import ImageCommandParams, ImageSizeParams


class ImageRegressionParams(TargetParams, ImageSizeParams, ImageCommandParams):
    """The image inputs, a numeric target and the image commands' shared defaults."""
