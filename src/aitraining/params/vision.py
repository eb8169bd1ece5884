"""Parameters of the image commands, declared once and inherited by each command's params class."""

from __future__ import annotations

from aitraining.params.crosscutting import PeftParams, SweepParams
from aitraining.params.fields import ParamsBase, param, retuned
from aitraining.params.groups import CommonParams
from aitraining.params.supervised import INPUTS, EarlyStoppingParams


class ImageColumnParams(ParamsBase):
    image_column: str = param(
        "image",
        "Column holding the image: a path (relative to the data file's folder) or a datasets Image. Folders of "
        "class subfolders or with a metadata.jsonl (file_name) fill it from the files themselves.",
        group=INPUTS,
    )
    augment: bool = param(
        False,
        "Augment training images on the fly (random resized crop, horizontal flip, colour jitter; boxes follow "
        "for object detection). Never applied to validation images.",
        group=INPUTS,
    )


class ImageSizeParams(ParamsBase):
    image_size: int | None = param(
        None,
        "Images are resized to this many pixels (square; the shortest edge for processors that keep the "
        "aspect ratio). Default: the size of the model's image processor.",
        group=INPUTS,
        ge=8,
    )


class ImageCommandParams(EarlyStoppingParams, ImageColumnParams, PeftParams, SweepParams, CommonParams):
    """What every image command accepts; the shared image pipeline (engine/vision) is typed with it."""

    # AutoTrain's defaults for its image commands
    lr: float = retuned(CommonParams, "lr", 5e-5)
    epochs: int = retuned(CommonParams, "epochs", 3)
    batch_size: int = retuned(CommonParams, "batch_size", 8)
    gradient_accumulation: int = retuned(CommonParams, "gradient_accumulation", 1)

    def check(self) -> None:
        self.check_peft()
