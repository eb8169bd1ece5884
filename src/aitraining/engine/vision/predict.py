"""What the image commands' --predict and --preview-data share: which images to read, in batches."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aitraining.data.images import is_image_file, list_images, load_image_splits, open_image, scan_images
from aitraining.data.readers import SUFFIXES
from aitraining.errors import DataError, ParamError
from aitraining.params.vision import ImageCommandParams


def image_inputs(params: ImageCommandParams, logger: Any, strict: bool = False) -> tuple[list[Any], Any, str]:
    """(image references, the rows they came from or None, source) for --predict.

    --data-path may be one image, a folder of images (searched recursively), or any training layout
    (class subfolders / metadata.jsonl / a data file with --image-column); unreadable images are skipped
    with their paths logged, as in training.
    """
    if not params.data_path:
        raise ParamError("--predict needs --data-path: an image, a folder of images or an image dataset.")
    path = Path(params.data_path).expanduser()
    if is_image_file(path):
        return [str(path)], None, str(path)
    plain_folder = (
        path.is_dir()
        and not any(
            (path / n).is_file() for n in ("metadata.jsonl", "metadata.csv", "dataset_info.json", "dataset_dict.json")
        )
        and not any(p.suffix.lower() in SUFFIXES for p in path.iterdir() if p.is_file())
    )
    if plain_folder:
        images = list_images(path)
        if not images:
            raise DataError(f"No images found in {params.data_path} (looked for .png, .jpg, ... recursively).")
        import datasets

        rows = datasets.Dataset.from_dict({params.image_column: [str(p) for p in images]})
        source = f"folder {params.data_path}"
    else:
        data = load_image_splits(
            params.data_path,
            params.train_split,
            None,
            params.max_samples,
            image_column=params.image_column,
            target_column=None,
        )
        rows, source = data.train, data.source
    scan = scan_images(rows, params.image_column, "predict", source, strict=strict, logger=logger)
    return list(scan.kept[params.image_column]), scan.kept, source


def batches(references: list[Any], size: int) -> Iterator[tuple[list[Any], list[Any]]]:
    """(references, opened RGB images) in batches, so only one batch of pixels is in memory."""
    for start in range(0, len(references), size):
        chunk = references[start : start + size]
        yield chunk, [open_image(ref) for ref in chunk]


def shown(reference: Any) -> str:
    return str(reference.get("path") or "(embedded image)") if isinstance(reference, dict) else str(reference)


def run_batches(model: Any, processor: Any, references: list[Any], size: int, fn: Callable) -> list[dict]:
    """Run `fn(outputs, images) -> list of result dicts` over every batch, on a GPU when present."""
    import torch

    from aitraining.engine.predict import torch_device

    model = model.to(torch_device()).eval()
    results: list[dict] = []
    for chunk, images in batches(references, size):
        inputs = processor(images=images, return_tensors="pt").to(model.device)
        with torch.no_grad():
            outputs = model(**inputs)
        for ref, result in zip(chunk, fn(outputs, images), strict=True):
            results.append({"image": shown(ref), **result})
    return results


@dataclass
class Prediction:
    """A trained image model ready to predict the --data-path images (what every image --predict starts with)."""

    logger: Any
    folder: Path
    params: Any  # the command's params, with the trained run's column settings
    references: list[Any]
    rows: Any  # the rows the images came from, or None (an image or a plain folder)
    source: str
    model: Any
    processor: Any

    @property
    def id2label(self) -> dict[int, str]:
        return {int(k): v for k, v in self.model.config.id2label.items()}

    def run(self, fn: Callable) -> list[dict]:
        return run_batches(self.model, self.processor, self.references, self.params.batch_size, fn)

    def write(self, results: list[dict]) -> Path:
        from aitraining.engine.predict import free_path, write_jsonl

        return write_jsonl(free_path(self.folder), results)


def start_prediction(resolved: Any, command: str, auto_class: Any, settings: tuple[str, ...]) -> Prediction:
    """The trained model of --project-name, its processor and the images of --data-path."""
    from aitraining.engine.logs import setup_console
    from aitraining.engine.predict import trained_model_folder, with_training_settings
    from aitraining.engine.vision.processor import load_image_processor

    logger = setup_console()
    folder = trained_model_folder(resolved.params.project_name, command)
    params = with_training_settings(resolved, folder, settings)
    references, rows, source = image_inputs(params, logger, resolved.strict)
    model = auto_class.from_pretrained(str(folder))
    return Prediction(logger, folder, params, references, rows, source, model, load_image_processor(str(folder)))
