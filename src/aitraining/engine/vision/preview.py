"""--preview-data for the image commands: load and check the data exactly as training would, then describe it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aitraining.data.loading import LoadedData, require_columns
from aitraining.params.vision import ImageCommandParams

if TYPE_CHECKING:
    from aitraining.config import Resolved
    from aitraining.engine.vision.base import ImageTask


def preview_splits(
    resolved: Resolved, task: ImageTask[Any, Any], logger: logging.Logger, describe: Callable[[Any], str]
) -> LoadedData:
    """Log each split's readable images, their sizes and `describe(rows)`; the loaded data for more lines."""
    params = resolved.params
    assert isinstance(params, ImageCommandParams), type(params).__name__
    data = task.load_data(params, strict=resolved.strict)
    splits = [(params.train_split, data.train)] + ([(str(params.valid_split), data.valid)] if data.valid else [])
    for name, rows in splits:
        require_columns(rows, task.columns(params), split=name, source=data.source)
        task.check_rows(rows, params, name, data.source)
        sizes = data.findings["sizes"][name]
        widths, heights = [w for w, _ in sizes], [h for _, h in sizes]
        skipped = len(data.findings["unreadable"].get(name, []))
        logger.info(
            f"{name} split of {data.source}: {len(rows)} readable images ({skipped} unreadable skipped), "
            f"widths {min(widths)}-{max(widths)}, heights {min(heights)}-{max(heights)} pixels. {describe(rows)}"
        )
    if data.valid is None:
        logger.info("No --valid-split: training holds out a seeded 20% of the training images for validation.")
    return data
