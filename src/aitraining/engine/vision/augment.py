"""Well-known training augmentations with PIL only (no torchvision): random resized crop, horizontal flip,
colour jitter. Boxes (COCO [x, y, w, h]) follow the crop and the flip; clipping and dropping them is left to
`tasks.object_detection.boxes.clip_boxes`. Randomness comes from `random`, which the Trainer seeds.
"""

from __future__ import annotations

import random
from typing import Any

CROP_SCALE = (0.7, 1.0)  # fraction of the image area kept by the random crop
CROP_RATIO = (3 / 4, 4 / 3)
JITTER = 0.2  # brightness, contrast and saturation vary by up to +-20%


def crop_window(width: int, height: int, rng: random.Random) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) of a random crop covering CROP_SCALE of the area (the whole image as fallback)."""
    area = width * height
    for _ in range(10):
        target = area * rng.uniform(*CROP_SCALE)
        ratio = rng.uniform(*CROP_RATIO)
        w, h = round((target * ratio) ** 0.5), round((target / ratio) ** 0.5)
        if 0 < w <= width and 0 < h <= height:
            left, top = rng.randint(0, width - w), rng.randint(0, height - h)
            return left, top, left + w, top + h
    return 0, 0, width, height


def jitter_colours(image: Any, rng: random.Random) -> Any:
    from PIL import ImageEnhance

    for enhancer in (ImageEnhance.Brightness, ImageEnhance.Contrast, ImageEnhance.Color):
        image = enhancer(image).enhance(rng.uniform(1 - JITTER, 1 + JITTER))
    return image


def augment_image(image: Any, rng: random.Random | None = None) -> Any:
    """Random resized crop (the processor resizes afterwards), horizontal flip, colour jitter."""
    from PIL import Image

    rng = rng or random.Random(random.getrandbits(32))
    image = image.crop(crop_window(image.width, image.height, rng))
    if rng.random() < 0.5:
        image = image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    return jitter_colours(image, rng)


def augment_with_boxes(
    image: Any, boxes: list[list[float]], rng: random.Random | None = None
) -> tuple[Any, list[list[float]]]:
    """The same augmentations for detection; boxes are shifted by the crop and mirrored by the flip."""
    from PIL import Image

    rng = rng or random.Random(random.getrandbits(32))
    left, top, right, bottom = crop_window(image.width, image.height, rng)
    image = image.crop((left, top, right, bottom))
    boxes = [[x - left, y - top, w, h] for x, y, w, h in boxes]
    if rng.random() < 0.5:
        image = image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        boxes = [[image.width - x - w, y, w, h] for x, y, w, h in boxes]
    return jitter_colours(image, rng), boxes
