"""`aitraining object-detection --predict` (boxes per image) and `--preview-data` (box statistics)."""

from __future__ import annotations

from typing import Any

TRAINED_SETTINGS = ("image_column", "objects_column")
THRESHOLD = 0.5  # the score a predicted box needs to be written


def detect(processor: Any, outputs: Any, images: list[Any], id2label: dict[int, str]) -> list[dict[str, Any]]:
    from aitraining.tasks.object_detection.task import as_detections

    sizes = [(image.height, image.width) for image in images]
    results = []
    for image, result in zip(
        images, processor.post_process_object_detection(outputs, threshold=THRESHOLD, target_sizes=sizes), strict=True
    ):
        found = as_detections(result)
        objects = [
            {"bbox": [round(v, 2) for v in box], "category": id2label[label], "score": round(score, 4)}
            for box, label, score in zip(found.boxes, found.labels, found.scores, strict=True)
        ]
        results.append({"width": image.width, "height": image.height, "objects": objects})
    return results


def run(resolved: Any) -> int:
    from transformers import AutoModelForObjectDetection

    from aitraining.engine.vision.predict import start_prediction

    job = start_prediction(resolved, "object-detection", AutoModelForObjectDetection, TRAINED_SETTINGS)
    id2label, processor = job.id2label, job.processor
    results = job.run(lambda outputs, images: detect(processor, outputs, images, id2label))
    path = job.write(results)
    boxes = sum(len(r["objects"]) for r in results)
    job.logger.info(
        f"Found {boxes} objects (score > {THRESHOLD}) in {len(results)} images of {job.source}; written to {path}"
    )
    return 0


def preview(resolved: Any) -> int:
    """Box statistics per split (after clipping), and the unreadable images, before any model is loaded."""
    import json

    from aitraining.engine.logs import setup_console
    from aitraining.engine.vision.preview import preview_splits
    from aitraining.tasks.object_detection.boxes import box_statistics
    from aitraining.tasks.object_detection.task import CLEAN, ObjectDetection

    logger = setup_console()
    task = ObjectDetection()

    def describe(rows: Any) -> str:
        return f"Boxes: {box_statistics([json.loads(v) for v in rows[CLEAN]])}"

    data = preview_splits(resolved, task, logger, describe)
    for split, count in data.findings["boxes"].items():
        logger.info(f"{split}: {count.clipped} boxes clipped to their image, {count.dropped} degenerate dropped.")
    return 0
