"""mAP, mAP@50 and mAP@75 with pycocotools (the reference COCO evaluation), boxes in COCO [x, y, w, h]."""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass, field


@dataclass
class Detections:
    """One image's boxes ([x, y, w, h] pixels), integer labels and (for predictions) scores."""

    boxes: list[list[float]]
    labels: list[int]
    scores: list[float] = field(default_factory=list)


def coco_map(truth: list[Detections], predicted: list[Detections], num_labels: int) -> dict[str, float]:
    """COCO box AP averaged over IoU 0.50:0.95 ('map'), at IoU 0.50 and at 0.75; 0.0 when nothing is
    predicted, and 0.0 when the ground truth has no boxes at all (pycocotools reports -1 there)."""
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    zero = {"map": 0.0, "map_50": 0.0, "map_75": 0.0}
    annotations = [
        {"image_id": i, "category_id": label, "bbox": box, "area": box[2] * box[3], "iscrowd": 0}
        for i, image in enumerate(truth)
        for box, label in zip(image.boxes, image.labels, strict=True)
    ]
    for number, annotation in enumerate(annotations, start=1):
        annotation["id"] = number
    results = [
        {"image_id": i, "category_id": label, "bbox": box, "score": score}
        for i, image in enumerate(predicted)
        for box, label, score in zip(image.boxes, image.labels, image.scores, strict=True)
    ]
    if not annotations or not results:
        return zero
    gt = COCO()
    gt.dataset = {
        "images": [{"id": i} for i in range(len(truth))],
        "annotations": annotations,
        "categories": [{"id": c} for c in range(num_labels)],
    }
    with contextlib.redirect_stdout(io.StringIO()):  # pycocotools prints its progress and the summary table
        gt.createIndex()
        evaluation = COCOeval(gt, gt.loadRes(results), "bbox")
        evaluation.evaluate()
        evaluation.accumulate()
        evaluation.summarize()
    stats = [max(float(v), 0.0) for v in evaluation.stats[:3]]
    return {"map": stats[0], "map_50": stats[1], "map_75": stats[2]}
