"""COCO boxes ([x, y, w, h] in pixels): reading the objects column, keeping boxes inside their image."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

MIN_SIDE = 1.0  # pixels; a box narrower or lower than this after clipping is degenerate and dropped


@dataclass
class BoxCounts:
    boxes: int = 0
    clipped: int = 0  # partly outside the image: cut to its edges and kept
    dropped: int = 0  # degenerate (no area inside the image): removed
    empty_images: int = 0

    def add(self, other: BoxCounts) -> None:
        self.boxes += other.boxes
        self.clipped += other.clipped
        self.dropped += other.dropped
        self.empty_images += other.empty_images


def parse_objects(value: Any) -> tuple[list[list[float]], list[Any]]:
    """(boxes, categories) from {bbox: [...], category: [...]} or a list of {bbox, category} objects.

    Raises ValueError with a sentence saying what is wrong (the caller adds row and column).
    """
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise ValueError("is text that is not JSON") from None
    if value is None:
        return [], []
    if isinstance(value, list):
        value = {
            "bbox": [o.get("bbox") for o in value if isinstance(o, dict)],
            "category": [o.get("category") for o in value if isinstance(o, dict)],
        }
    if not isinstance(value, dict) or "bbox" not in value or "category" not in value:
        raise ValueError("is not {bbox: [[x, y, w, h], ...], category: [...]}")
    boxes, categories = value["bbox"] or [], value["category"] or []
    if len(boxes) != len(categories):
        raise ValueError(f"has {len(boxes)} boxes but {len(categories)} categories")
    for box in boxes:
        if not isinstance(box, list | tuple) or len(box) != 4 or not all(isinstance(v, int | float) for v in box):
            raise ValueError(f"has box {box!r}, not four numbers [x, y, width, height]")
    for category in categories:
        if isinstance(category, bool) or not isinstance(category, int | str) or category == "":
            raise ValueError(f"has category {category!r}, not a name or integer id")
    return [[float(v) for v in box] for box in boxes], list(categories)


def clip_boxes(
    boxes: list[list[float]], categories: list[Any], width: int, height: int
) -> tuple[list[list[float]], list[Any], BoxCounts]:
    """Cut boxes to the image; drop those left with a side under MIN_SIDE pixels. Counts what changed."""
    counts = BoxCounts(boxes=len(boxes), empty_images=int(not boxes))
    kept_boxes, kept_categories = [], []
    for (x, y, w, h), category in zip(boxes, categories, strict=True):
        x0, y0 = min(max(x, 0.0), width), min(max(y, 0.0), height)
        x1, y1 = min(max(x + w, 0.0), width), min(max(y + h, 0.0), height)
        if x1 - x0 < MIN_SIDE or y1 - y0 < MIN_SIDE:
            counts.dropped += 1
            continue
        if (x0, y0, x1, y1) != (x, y, x + w, y + h):
            counts.clipped += 1
        kept_boxes.append([x0, y0, x1 - x0, y1 - y0])
        kept_categories.append(category)
    return kept_boxes, kept_categories, counts


def coco_target(image_id: int, boxes: list[list[float]], category_ids: list[int]) -> dict[str, Any]:
    """The COCO-detection annotation the transformers detection processors take."""
    return {
        "image_id": image_id,
        "annotations": [
            {"bbox": box, "category_id": c, "area": box[2] * box[3], "iscrowd": 0}
            for box, c in zip(boxes, category_ids, strict=True)
        ],
    }


def box_statistics(objects: list[dict[str, Any]]) -> dict[str, Any]:
    """Boxes per image and per category, and box side lengths, for --preview-data and the log."""
    import numpy as np

    per_image = [len(o["bbox"]) for o in objects]
    per_category: dict[str, int] = {}
    for o in objects:
        for c in o["category"]:
            per_category[str(c)] = per_category.get(str(c), 0) + 1
    sides = np.array([[b[2], b[3]] for o in objects for b in o["bbox"]] or [[0.0, 0.0]])
    return {
        "images": len(objects),
        "boxes": int(sum(per_image)),
        "images_without_objects": sum(n == 0 for n in per_image),
        "max_boxes_per_image": max(per_image, default=0),
        "boxes_per_category": dict(sorted(per_category.items(), key=lambda kv: -kv[1])),
        "box_width_min_median_max": [float(v) for v in np.percentile(sides[:, 0], [0, 50, 100])],
        "box_height_min_median_max": [float(v) for v in np.percentile(sides[:, 1], [0, 50, 100])],
    }
