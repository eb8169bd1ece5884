"""Tiny image models (ViT, a ResNet classifier, DETR) with their processors, and learnable image datasets.

Every model is random, a few hundred kilobytes big, saved with `save_pretrained` beside a PIL-backend image
processor (torchvision does not install beside the CPU torch here), so tests exercise the loading code users
hit without any download. The datasets are drawn with PIL and written in the layouts users have: class
subfolders, a `metadata.jsonl` beside the images, or a data file with an image-path column.
"""

from __future__ import annotations

import contextlib
import json
import random
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import torch

from aitraining.testing.models import _seeded_init

COLOURS = {"red": (220, 40, 40), "green": (40, 200, 60), "blue": (50, 70, 230)}


def _save(model: Any, processor: Any, out_dir: str | Path) -> Path:
    path = Path(out_dir)
    path.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(path)
    processor.save_pretrained(path)
    return path


def make_tiny_vit(out_dir: str | Path, *, image_size: int = 32, num_labels: int = 2, seed: int = 0) -> Path:
    """A 2-layer ViT image classifier (patch 8) with a ViT image processor resizing to `image_size`."""
    from transformers import ViTConfig, ViTForImageClassification
    from transformers.models.vit.image_processing_pil_vit import ViTImageProcessorPil

    config = ViTConfig(
        image_size=image_size,
        patch_size=8,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        hidden_dropout_prob=0.0,
        attention_probs_dropout_prob=0.0,
        num_labels=num_labels,
    )
    model = _seeded_init(seed, lambda: ViTForImageClassification(config))
    processor = ViTImageProcessorPil(size={"height": image_size, "width": image_size})
    return _save(model, processor, out_dir)


def make_tiny_convnet(out_dir: str | Path, *, image_size: int = 32, num_labels: int = 2, seed: int = 0) -> Path:
    """A two-stage ResNet classifier with the ConvNext-style processor ResNet checkpoints ship with."""
    from transformers import ResNetConfig, ResNetForImageClassification
    from transformers.models.convnext.image_processing_pil_convnext import ConvNextImageProcessorPil

    config = ResNetConfig(
        embedding_size=16,
        hidden_sizes=[32, 64],
        depths=[1, 1],
        layer_type="basic",
        downsample_in_first_stage=False,
        num_labels=num_labels,
    )
    model = _seeded_init(seed, lambda: ResNetForImageClassification(config))
    processor = ConvNextImageProcessorPil(size={"shortest_edge": image_size}, crop_pct=1.0)
    return _save(model, processor, out_dir)


def make_tiny_detr(
    out_dir: str | Path, *, labels: Sequence[str] = ("red", "blue"), image_size: int = 64, seed: int = 0
) -> Path:
    """A 1+1-layer DETR on a small transformers ResNet backbone (no timm), with a DETR processor."""
    from transformers import DetrConfig, DetrForObjectDetection, ResNetConfig
    from transformers.models.detr.image_processing_pil_detr import DetrImageProcessorPil

    backbone = ResNetConfig(
        embedding_size=16, hidden_sizes=[16, 32], depths=[1, 1], layer_type="basic", out_features=["stage2"]
    )
    config = DetrConfig(
        backbone_config=backbone,
        use_timm_backbone=False,
        use_pretrained_backbone=False,
        d_model=32,
        encoder_layers=1,
        decoder_layers=1,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        encoder_ffn_dim=64,
        decoder_ffn_dim=64,
        num_queries=10,
        dropout=0.0,
        id2label=dict(enumerate(labels)),
        label2id={name: i for i, name in enumerate(labels)},
    )
    model = _seeded_init(seed, lambda: DetrForObjectDetection(config))
    processor = DetrImageProcessorPil(size={"height": image_size, "width": image_size}, do_pad=False)
    return _save(model, processor, out_dir)


# ---------------------------------------------------------------- datasets


def colour_image(colour: str, rng: random.Random, size: int = 32) -> Any:
    """A noisy image whose dominant colour is `colour`, with a random darker square on it."""
    from PIL import Image, ImageDraw

    base = COLOURS[colour]
    image = Image.new("RGB", (size, size), tuple(min(255, max(0, c + rng.randint(-30, 30))) for c in base))
    draw = ImageDraw.Draw(image)
    x, y = rng.randint(0, size // 2), rng.randint(0, size // 2)
    draw.rectangle([x, y, x + size // 4, y + size // 4], fill=tuple(c // 2 for c in base))
    return image


def write_colour_classes(
    root: str | Path, *, n: int = 60, split: str = "train", seed: int = 0, colours: Sequence[str] = ("red", "blue")
) -> Path:
    """Class-subfolder layout: `<root>/<split>/<colour>/<i>.png`, classes balanced. Returns `root`."""
    rng = random.Random(f"{seed}-{split}")
    for i in range(n):
        colour = colours[i % len(colours)]
        folder = Path(root) / split / colour
        folder.mkdir(parents=True, exist_ok=True)
        colour_image(colour, rng).save(folder / f"{i}.png")
    return Path(root)


def brightness_image(value: float, rng: random.Random, size: int = 32) -> Any:
    """A grey image whose mean brightness is `value` (0..1) plus pixel noise."""
    import numpy as np
    from PIL import Image

    np_rng = np.random.default_rng(rng.randint(0, 2**31))
    pixels = np.clip(value * 255 + np_rng.normal(0, 12, (size, size, 3)), 0, 255).astype("uint8")
    return Image.fromarray(pixels)


def write_brightness_metadata(root: str | Path, *, n: int = 60, split: str = "train", seed: int = 0) -> Path:
    """metadata.jsonl layout for regression: `file_name` plus `target` = the image's brightness (0..1)."""
    rng = random.Random(f"{seed}-{split}")
    folder = Path(root) / split
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for i in range(n):
        value = round(rng.uniform(0.1, 0.9), 3)
        brightness_image(value, rng).save(folder / f"{i}.png")
        rows.append({"file_name": f"{i}.png", "target": value})
    (folder / "metadata.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return Path(root)


def box_image(rng: random.Random, size: int = 64, colours: Sequence[str] = ("red", "blue"), max_objects: int = 2):
    """A grey image with 0..max_objects coloured squares; returns (image, COCO boxes, category names)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (size, size), (128, 128, 128))
    draw = ImageDraw.Draw(image)
    boxes, names = [], []
    for _ in range(rng.randint(0, max_objects) if max_objects > 1 else 1):
        side = rng.randint(size // 5, size // 3)
        x, y = rng.randint(0, size - side), rng.randint(0, size - side)
        colour = rng.choice(list(colours))
        draw.rectangle([x, y, x + side - 1, y + side - 1], fill=COLOURS[colour])
        boxes.append([float(x), float(y), float(side), float(side)])
        names.append(colour)
    return image, boxes, names


def write_box_metadata(
    root: str | Path, *, n: int = 40, split: str = "train", seed: int = 0, size: int = 64, max_objects: int = 2
) -> Path:
    """metadata.jsonl layout for detection: `file_name` and `objects: {bbox: [[x, y, w, h]], category: [name]}`."""
    rng = random.Random(f"{seed}-{split}")
    folder = Path(root) / split
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for i in range(n):
        image, boxes, names = box_image(rng, size, max_objects=max_objects)
        image.save(folder / f"{i}.png")
        rows.append({"file_name": f"{i}.png", "objects": {"bbox": boxes, "category": names}})
    (folder / "metadata.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return Path(root)


def write_digits_pngs(root: str | Path, *, upscale: int = 4) -> tuple[Path, Path]:
    """scikit-learn's bundled handwritten digits as PNGs in class folders; a fixed 80/20 train/valid split."""
    import numpy as np
    from PIL import Image
    from sklearn.datasets import load_digits

    digits = load_digits()
    order = np.random.default_rng(0).permutation(len(digits.images))
    cut = int(0.8 * len(order))
    for rank, index in enumerate(order):
        split = "train" if rank < cut else "valid"
        pixels = (digits.images[index] * (255 / 16)).astype("uint8")
        folder = Path(root) / split / str(digits.target[index])
        folder.mkdir(parents=True, exist_ok=True)
        Image.fromarray(pixels).resize((8 * upscale, 8 * upscale), Image.NEAREST).convert("RGB").save(
            folder / f"{index}.png"
        )
    return Path(root) / "train", Path(root) / "valid"


__all__ = [
    "make_tiny_convnet",
    "make_tiny_detr",
    "make_tiny_vit",
    "torch_threads",
    "write_box_metadata",
    "write_brightness_metadata",
    "write_colour_classes",
    "write_digits_pngs",
]


@contextlib.contextmanager
def torch_threads(count: int) -> Iterator[None]:
    """Run with `count` torch CPU threads, then restore. On a small shared CPU, tiny conv models train ~50x
    faster on one thread than on oversubscribed ones (the OpenMP workers spin-wait for each other)."""
    before = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(before)
