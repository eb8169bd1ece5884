"""Image datasets in the layouts users already have, as rows of image *references*, decoded lazily.

Layouts of `--data-path` (each split is a subfolder `<data-path>/<split>`, or the data path itself for the
train split):
- class subfolders: `<split>/<class name>/<image>` (the class becomes the target column);
- `metadata.jsonl` (or `.csv`) beside the images: `file_name` plus the target / objects columns;
- a CSV / JSONL / Parquet file (or folder of `<split>.<ext>` files) with an image-path column; relative paths
  are relative to the data file's folder;
- a `datasets.save_to_disk` folder (or Hub dataset) with an `Image` column.

Rows hold a path string or `{"bytes", "path"}`, never pixels: images are opened when a batch needs them, so a
folder of 100k images does not sit in RAM. `scan_images` opens every image's header once before training:
unreadable ones are reported by path and skipped with a count (an error under `--strict`).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aitraining.data.loading import LoadedData, flag_for, load_splits
from aitraining.data.readers import SUFFIXES, read_file
from aitraining.errors import DataError

if TYPE_CHECKING:
    import datasets

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff")
METADATA_FILES = ("metadata.jsonl", "metadata.csv")
_SHOWN = 5


def is_image_file(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() in IMAGE_SUFFIXES and not path.name.startswith(".")


def list_images(folder: Path) -> list[Path]:
    """Every image file under `folder` (recursively), sorted."""
    return sorted(p for p in folder.rglob("*") if is_image_file(p))


def _image_folder_kind(folder: Path) -> str | None:
    """'metadata', 'classes' or None for a folder that is not an image split folder."""
    if any((folder / name).is_file() for name in METADATA_FILES):
        return "metadata"
    if any(f.is_file() and f.suffix.lower() in SUFFIXES for f in folder.iterdir()):
        return None  # a data file (train.csv, ...) lists the rows; its images may sit in subfolders
    subfolders = [p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")]
    if subfolders and all(any(is_image_file(f) for f in sub.iterdir()) for sub in subfolders):
        return "classes"
    return None


def load_image_splits(
    data_path: str,
    train_split: str,
    valid_split: str | None,
    max_samples: int | None,
    *,
    image_column: str,
    target_column: str | None,
) -> LoadedData:
    """The train (and validation) split as rows of image references, from any of the layouts above."""
    root = Path(data_path).expanduser()
    if root.is_dir() and (_image_folder_kind(root / train_split) if (root / train_split).is_dir() else None):
        splits = [train_split] + ([valid_split] if valid_split else [])
        loaded = [_split_folder(root, s, data_path, image_column, target_column, max_samples) for s in splits]
        return LoadedData(train=loaded[0], valid=loaded[1] if valid_split else None, source=f"image folder {data_path}")
    if root.is_dir() and _image_folder_kind(root):
        if valid_split:
            raise DataError(
                f"{data_path} is a single image folder, so all of it is the train split and --valid-split "
                f"'{valid_split}' cannot pick another split. Put the splits in subfolders ({data_path}/train, "
                f"{data_path}/{valid_split}), or leave --valid-split out."
            )
        train = _folder_rows(root, data_path, image_column, target_column, max_samples)
        return LoadedData(train=train, valid=None, source=f"image folder {data_path}")
    data = load_splits(data_path, train_split, valid_split, max_samples)
    base = root.parent if root.is_file() else root
    train = as_references(data.train, image_column, base)
    valid = as_references(data.valid, image_column, base) if data.valid is not None else None
    return LoadedData(train=train, valid=valid, source=data.source)


def _split_folder(
    root: Path, split: str, shown: str, image_column: str, target_column: str | None, max_samples: int | None
) -> datasets.Dataset:
    folder = root / split
    if not folder.is_dir() or not _image_folder_kind(folder):
        found = sorted(p.name for p in root.iterdir() if p.is_dir() and _image_folder_kind(p))
        raise DataError(
            f"No image split folder '{split}' in {shown}. Split folders found: {', '.join(found) or '(none)'}. "
            f"Pass {flag_for('valid_split')} with one of those names, or leave it out to hold out part of the "
            "training images."
        )
    return _folder_rows(folder, f"{shown}/{split}", image_column, target_column, max_samples)


def _folder_rows(
    folder: Path, shown: str, image_column: str, target_column: str | None, max_samples: int | None
) -> datasets.Dataset:
    import datasets

    if _image_folder_kind(folder) == "metadata":
        rows = _metadata_rows(folder, shown, image_column)
    else:
        rows = datasets.Dataset.from_dict(_class_rows(folder, image_column, target_column or "target"))
    if len(rows) == 0:
        raise DataError(f"The image folder {shown} holds no images. Add images, or point --data-path elsewhere.")
    return rows.select(range(max_samples)) if max_samples is not None and max_samples < len(rows) else rows


def _class_rows(folder: Path, image_column: str, target_column: str) -> dict[str, list[str]]:
    """Rows taken from each class in turn, so --max-samples keeps every class (not the first few)."""
    classes = sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    lists = [list_images(sub) for sub in classes]
    images, labels = [], []
    for rank in range(max((len(x) for x in lists), default=0)):
        for sub, files in zip(classes, lists, strict=True):
            if rank < len(files):
                images.append(str(files[rank]))
                labels.append(sub.name)
    return {image_column: images, target_column: labels}


def _metadata_rows(folder: Path, shown: str, image_column: str) -> datasets.Dataset:
    meta = next(folder / name for name in METADATA_FILES if (folder / name).is_file())
    rows = read_file(meta)
    if "file_name" not in rows.column_names:
        raise DataError(
            f"{meta} has no 'file_name' column (columns: {', '.join(rows.column_names)}). Each line must name "
            'its image relative to that folder, such as {"file_name": "0001.png", "target": "cat"}.'
        )
    paths = []
    for row, name in enumerate(rows["file_name"], start=1):
        if not isinstance(name, str) or not name.strip():
            raise DataError(f"{meta}, row {row}: 'file_name' is {name!r}, not an image file name. Fix that row.")
        paths.append(str(folder / name))
    rows = rows.remove_columns([c for c in ("file_name", image_column) if c in rows.column_names])
    return rows.add_column(image_column, paths)


def as_references(dataset: datasets.Dataset, image_column: str, base: Path) -> datasets.Dataset:
    """An `Image` column stops decoding (rows hold bytes/path); path strings become absolute paths."""
    import datasets

    if image_column not in dataset.column_names:
        return dataset  # the task's column check reports it with the columns present
    feature = dataset.features[image_column]
    if isinstance(feature, datasets.Image):
        return dataset.cast_column(image_column, datasets.Image(decode=False))

    def absolute(batch: dict[str, list]) -> dict[str, list]:
        batch[image_column] = [_resolve(v, base) for v in batch[image_column]]
        return batch

    return dataset.map(absolute, batched=True)


def _resolve(value: Any, base: Path) -> Any:
    if not isinstance(value, str) or not value.strip():
        return value
    path = Path(value).expanduser()
    if path.is_absolute():
        return str(path)
    for candidate in (base / path, Path.cwd() / path):
        if candidate.exists():
            return str(candidate)
    return str(base / path)


def open_image(reference: Any) -> Any:
    """A PIL RGB image from a path, `{"bytes", "path"}` or a PIL image."""
    from PIL import Image

    if isinstance(reference, Image.Image):
        image = reference
    elif isinstance(reference, dict):
        raw = reference.get("bytes")
        image = Image.open(io.BytesIO(raw)) if raw else Image.open(reference["path"])
    else:
        image = Image.open(str(reference))
    image.load()
    return image.convert("RGB")


def describe(reference: Any, row: int) -> str:
    if isinstance(reference, dict):
        return str(reference.get("path") or f"row {row} (embedded bytes)")
    return str(reference)


@dataclass
class ScanResult:
    """What the pre-training scan found in one split."""

    kept: datasets.Dataset
    sizes: list[tuple[int, int]]  # (width, height) of each kept row
    unreadable: list[str] = field(default_factory=list)  # "path (reason)"


def _probe(reference: Any) -> tuple[int, int] | str:
    """(width, height) of a readable image, else the reason it cannot be read."""
    from PIL import Image

    if reference is None or (isinstance(reference, str) and not reference.strip()):
        return "no image given"
    try:
        if isinstance(reference, dict) and reference.get("bytes"):
            source: Any = io.BytesIO(reference["bytes"])
        else:
            source = reference["path"] if isinstance(reference, dict) else str(reference)
        with Image.open(source) as image:
            size = image.size
            image.verify()
        return size
    except FileNotFoundError:
        return "file not found"
    except Exception as exc:  # PIL raises many types for broken files
        return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else 'cannot be read'}"


def scan_images(
    dataset: datasets.Dataset, image_column: str, split: str, source: str, *, strict: bool, logger: Any
) -> ScanResult:
    """Open every image's header; skip (or under --strict, refuse) the unreadable ones, naming them."""
    references = dataset[image_column]
    with ThreadPoolExecutor(max_workers=8) as pool:
        probed = list(pool.map(_probe, references))
    bad = [(i, r) for i, r in enumerate(probed) if isinstance(r, str)]
    lines = [f"{describe(references[i], i + 1)} ({reason})" for i, reason in bad]
    if bad:
        shown = "; ".join(lines[:_SHOWN]) + (f"; ... ({len(bad)} in all)" if len(bad) > _SHOWN else "")
        if strict or len(bad) == len(references):
            why = "--strict is set" if strict else "none of them can be read"
            raise DataError(
                f"{len(bad)} of {len(references)} images of the {split} split of {source} cannot be opened "
                f"and {why}: {shown}. Fix or remove those files (or their rows), or drop --strict to skip them."
            )
        logger.warning(f"Skipping {len(bad)} of {len(references)} unreadable images in the {split} split: {shown}")
        keep = [i for i, r in enumerate(probed) if not isinstance(r, str)]
        dataset = dataset.select(keep)
    sizes = [r for r in probed if not isinstance(r, str)]
    return ScanResult(kept=dataset, sizes=sizes, unreadable=lines)


def count_values(values: Sequence[Any]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for value in values:
        counts[str(value)] = counts.get(str(value), 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
