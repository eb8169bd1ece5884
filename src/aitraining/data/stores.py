"""Places that hold named splits: a data folder, a `save_to_disk` DatasetDict folder, a hub dataset."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from aitraining.data.hub import load_hub
from aitraining.data.readers import SUFFIXES, read_file
from aitraining.errors import DataError

if TYPE_CHECKING:
    import datasets

_SHOW_FILES = 3


@dataclass
class Store:
    """Named splits in one place; `splits` maps each split name to a short note of where it lives."""

    label: str
    splits: dict[str, str]
    load: Callable[[str], datasets.Dataset]
    train_hint: str = ""


def is_saved_dataset(path: Path) -> bool:
    """True for a folder written by `Dataset.save_to_disk` (a single dataset, not a DatasetDict)."""
    return (path / "state.json").is_file() and (path / "dataset_info.json").is_file()


def is_saved_dict(path: Path) -> bool:
    """True for a folder written by `DatasetDict.save_to_disk`."""
    return (path / "dataset_dict.json").is_file()


def load_saved_dataset(path: Path, shown: str) -> datasets.Dataset:
    """Load a saved Dataset into memory, so later `.map()` calls never write cache files next to it."""
    import datasets

    try:
        return datasets.Dataset.load_from_disk(str(path), keep_in_memory=True)
    except (OSError, ValueError, KeyError) as exc:
        raise DataError(
            f"The dataset saved at {shown} cannot be read ({exc}). Save it again with "
            "Dataset.save_to_disk, or export it to .jsonl or .parquet and pass that file."
        ) from exc


def folder_store(root: Path, shown: str) -> Store:
    """A folder of `<split>.<ext>` or `<split>-*.<ext>` files (or in `data/`), or a saved dataset."""
    if is_saved_dict(root):
        return _saved_dict_store(root, shown)
    if is_saved_dataset(root):
        load = lambda _split: load_saved_dataset(root, shown)  # noqa: E731
        return Store(label=f"saved dataset {shown}", splits={"train": "train"}, load=load)
    groups, prefix = _discover(root), ""
    if not groups and (root / "data").is_dir():
        groups, prefix = _discover(root / "data"), "data/"
    if not groups:
        raise _no_data_files(root, shown)
    splits = {split: _describe(files, prefix) for split, files in sorted(groups.items())}
    return Store(
        label=f"folder {shown}",
        splits=splits,
        load=lambda split: _load_group(groups[split], shown, split),
        train_hint=", or name your training file train.jsonl (or train.csv, .json, .parquet)",
    )


def hub_store(repo_id: str, config: str | None) -> Store:
    """Every split of one config of a hub dataset (loaded once, when the store is made)."""
    loaded = load_hub(repo_id, config)
    label = f"hub dataset {repo_id}" + (f" config {config}" if config else "")
    return Store(label=label, splits={name: name for name in loaded}, load=lambda split: loaded[split])


def _discover(folder: Path) -> dict[str, list[Path]]:
    groups: dict[str, list[Path]] = {}
    for item in sorted(folder.iterdir()):
        if item.name.startswith(".") or item.suffix.lower() not in SUFFIXES or not item.is_file():
            continue
        split = item.stem.split("-", 1)[0]
        if split:
            groups.setdefault(split, []).append(item)
    return groups


def _describe(files: list[Path], prefix: str) -> str:
    if len(files) <= _SHOW_FILES:
        return ", ".join(prefix + item.name for item in files)
    split = files[0].stem.split("-", 1)[0]
    return f"{prefix}{split}-*{files[0].suffix} ({len(files)} files)"


def _no_data_files(root: Path, shown: str) -> DataError:
    present = sorted(item.name for item in root.iterdir() if not item.name.startswith("."))
    listing = f" It contains: {', '.join(present[:10])}{' ...' if len(present) > 10 else ''}." if present else ""
    return DataError(
        f"Folder {shown} holds no data files.{listing} Put the training data in train.jsonl (or train.csv, "
        "train.json, train.parquet), optionally with a validation file such as valid.jsonl, or pass a "
        "folder written by datasets.save_to_disk, or a single data file."
    )


def _load_group(files: list[Path], shown: str, split: str) -> datasets.Dataset:
    import datasets

    suffixes = {item.suffix.lower() for item in files}
    if len(suffixes) > 1:
        raise DataError(
            f"The {split} split in folder {shown} has files of different formats: "
            f"{', '.join(item.name for item in files)}. Keep one format per split: remove or rename the "
            "others."
        )
    parts = [read_file(item) for item in files]
    if len(parts) == 1:
        return parts[0]
    try:
        return datasets.concatenate_datasets(parts)
    except ValueError as exc:
        raise DataError(
            f"The files of the {split} split in folder {shown} ({', '.join(item.name for item in files)}) "
            f"do not have the same columns and types ({exc}). Make every file of a split hold the same "
            "columns, or rename the files that belong to another split."
        ) from exc


def _saved_dict_store(root: Path, shown: str) -> Store:

    try:
        names = json.loads((root / "dataset_dict.json").read_text(encoding="utf-8"))["splits"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DataError(
            f"{root / 'dataset_dict.json'} cannot be read ({exc}), so the dataset saved at {shown} cannot be "
            "loaded. Save it again with DatasetDict.save_to_disk."
        ) from exc

    def load(split: str) -> datasets.Dataset:
        return load_saved_dataset(root / split, f"{shown} (split {split})")

    return Store(label=f"saved dataset {shown}", splits={str(name): str(name) for name in names}, load=load)
