"""`aitraining image-regression --predict` (a number per image) and `--preview-data` (target statistics)."""

from __future__ import annotations

from typing import Any

from aitraining.engine.predict import free_path, trained_model_folder, with_training_settings, write_jsonl

TRAINED_SETTINGS = ("image_column", "target_column")


def run(resolved: Any) -> int:
    from transformers import AutoModelForImageClassification

    from aitraining.engine.logs import setup_console
    from aitraining.engine.metrics import regression_metrics
    from aitraining.engine.targets import as_number
    from aitraining.engine.vision.predict import image_inputs, run_batches
    from aitraining.engine.vision.processor import load_image_processor

    logger = setup_console()
    folder = trained_model_folder(resolved.params.project_name, "image-regression")
    params = with_training_settings(resolved, folder, TRAINED_SETTINGS)
    references, rows, source = image_inputs(params, logger, resolved.strict)
    model = AutoModelForImageClassification.from_pretrained(str(folder))
    results = run_batches(
        model,
        load_image_processor(str(folder)),
        references,
        params.batch_size,
        lambda outputs, images: [{"prediction": float(v)} for v in outputs.logits[:, 0].cpu()],
    )
    if rows is not None and params.target_column in rows.column_names:
        targets = [as_number(v) for v in rows[params.target_column]]
        for result, target in zip(results, targets, strict=True):
            result["target"] = target
        scores = regression_metrics([r["target"] for r in results], [r["prediction"] for r in results])
        logger.info("Scores: " + ", ".join(f"{k} {v:.4f}" for k, v in scores.items()))
    path = write_jsonl(free_path(folder), results)
    logger.info(f"Predicted {len(results)} images of {source}; written to {path}")
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
