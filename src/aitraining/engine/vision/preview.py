"""--preview-data for the image commands: load and check the data exactly as training would, then describe it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aitraining.data.loading import require_columns


def preview_splits(params: Any, task: Any, logger: Any, describe: Callable[[Any], str]) -> int:
    data = task.load_data(params)
    splits = [(params.train_split, data.train)] + ([(str(params.valid_split), data.valid)] if data.valid else [])
    for name, rows in splits:
        require_columns(rows, task.columns(params), split=name, source=data.source)
        task.check_rows(rows, params, name, data.source)
        sizes = task.scans[name].sizes
        widths, heights = [w for w, _ in sizes], [h for _, h in sizes]
        skipped = len(task.scans[name].unreadable)
        logger.info(
            f"{name} split of {data.source}: {len(rows)} readable images ({skipped} unreadable skipped), "
            f"widths {min(widths)}-{max(widths)}, heights {min(heights)}-{max(heights)} pixels. {describe(rows)}"
        )
    if data.valid is None:
        logger.info("No --valid-split: training holds out a seeded 20% of the training images for validation.")
    return 0
