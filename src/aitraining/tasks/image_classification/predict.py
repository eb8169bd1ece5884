"""`aitraining image-classification --predict` (labels for images) and `--preview-data` (images per class)."""

from __future__ import annotations

from typing import Any

from aitraining.params.vision import ImageCommandParams
from aitraining.tasks.image_classification.params import ImageClassificationParams

TRAINED_SETTINGS = ("image_column", "target_column")
TOP_K = 5


def classify(outputs: Any, images: list[Any], id2label: dict[int, str]) -> list[dict[str, Any]]:
    probabilities = outputs.logits.softmax(-1).cpu()
    results = []
    for row in probabilities:
        top = row.topk(min(TOP_K, row.numel()))
        scores = {id2label[int(i)]: round(float(p), 6) for p, i in zip(top.values, top.indices, strict=True)}
        results.append({"label": next(iter(scores)), "score": next(iter(scores.values())), "top": scores})
    return results


def run(resolved: Any) -> int:
    from transformers import AutoModelForImageClassification

    from aitraining.engine.vision.predict import start_prediction

    job = start_prediction(resolved, "image-classification", AutoModelForImageClassification, TRAINED_SETTINGS)
    id2label = job.id2label
    results = job.run(lambda outputs, images: classify(outputs, images, id2label))
    if job.rows is not None and job.params.target_column in job.rows.column_names:
        targets = [str(v) for v in job.rows[job.params.target_column]]
        for result, target in zip(results, targets, strict=True):
            result["target"] = target
        correct = sum(r["label"] == r["target"] for r in results)
        job.logger.info(f"Accuracy on these labelled images: {correct / len(results):.4f} ({correct}/{len(results)})")
    path = job.write(results)
    job.logger.info(f"Predicted {len(results)} images of {job.source}; written to {path}")
    return 0


def preview(resolved: Any) -> int:
    """Images per class in each split, and the unreadable images, before any model is loaded."""
    from aitraining.engine.logs import setup_console
    from aitraining.engine.vision.preview import preview_splits
    from aitraining.tasks.image_classification.task import ImageClassification

    logger = setup_console()
    task = ImageClassification()
    preview_splits(resolved, task, logger, lambda rows: _per_class(rows, resolved.params))
    return 0


def _per_class(rows: Any, params: ImageCommandParams) -> str:
    assert isinstance(params, ImageClassificationParams), type(params).__name__
    from aitraining.data.images import count_values
    from aitraining.engine.targets import label_text

    counts = count_values([label_text(v) for v in rows[params.target_column]])
    return f"{len(counts)} classes, images per class: " + ", ".join(f"{k} {v}" for k, v in counts.items())
