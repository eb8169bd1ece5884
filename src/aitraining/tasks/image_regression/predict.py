"""`aitraining image-regression --predict` (a number per image) and `--preview-data` (target statistics)."""

from __future__ import annotations

from typing import Any

TRAINED_SETTINGS = ("image_column", "target_column")


def run(resolved: Any) -> int:
    from transformers import AutoModelForImageClassification

    from aitraining.engine.metrics import regression_metrics
    from aitraining.engine.targets import as_number
    from aitraining.engine.vision.predict import start_prediction

    job = start_prediction(resolved, "image-regression", AutoModelForImageClassification, TRAINED_SETTINGS)
    results = job.run(lambda outputs, images: [{"prediction": float(v)} for v in outputs.logits[:, 0].cpu()])
    if job.rows is not None and job.params.target_column in job.rows.column_names:
        targets = [as_number(v) for v in job.rows[job.params.target_column]]
        for result, target in zip(results, targets, strict=True):
            result["target"] = target
        scores = regression_metrics([r["target"] for r in results], [r["prediction"] for r in results])
        job.logger.info("Scores: " + ", ".join(f"{k} {v:.4f}" for k, v in scores.items()))
    path = job.write(results)
    job.logger.info(f"Predicted {len(results)} images of {job.source}; written to {path}")
    return 0


def preview(resolved: Any) -> int:
    """Target statistics per split, and the unreadable images, before any model is loaded."""
    import numpy as np

    from aitraining.engine.logs import setup_console
    from aitraining.engine.targets import as_number
    from aitraining.engine.vision.preview import preview_splits
    from aitraining.tasks.image_regression.task import ImageRegression

    logger = setup_console()
    column = resolved.params.target_column

    def describe(rows: Any) -> str:
        values = np.array([as_number(v) for v in rows[column]], dtype=float)
        stats = f"mean {values.mean():.4g}, std {values.std():.4g}, range {values.min():.4g} to {values.max():.4g}"
        return f"Target '{column}': {stats}."

    task = ImageRegression()
    preview_splits(resolved, task, logger, describe)
    return 0
