"""Load the train (and optional validation) split of a dataset for any training command.

`load_splits` accepts a folder of `<split>.<ext>` files, a single data file, a folder written by
`datasets.save_to_disk`, or a hub dataset id; `require_columns` checks the columns a trainer needs.
All user-data problems become one-paragraph `DataError`s.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aitraining.data.hub import looks_like_hub_id
from aitraining.data.readers import read_file
from aitraining.data.stores import (
    Store,
    folder_store,
    hub_store,
    is_saved_dataset,
    is_saved_dict,
    load_saved_dataset,
)
from aitraining.errors import DataError, ParamError
from aitraining.params.flags import flag_for

if TYPE_CHECKING:
    import datasets

_ROLES = {"train_split": "train", "valid_split": "validation"}
_MAX_LISTED = 40


@dataclass
class LoadedData:
    """The loaded splits and a human description of where they came from (for messages and logs)."""

    train: datasets.Dataset
    valid: datasets.Dataset | None
    source: str
    # what loading learnt besides the rows (e.g. the unreadable images it skipped), for the task's state
    findings: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SplitRef:
    """A split as written by the user: `split` or `config:split`."""

    config: str | None
    name: str
    text: str


@dataclass
class _Pick:
    label: str
    part: str
    dataset: datasets.Dataset
    param: str


def parse_split(value: str, param: str = "train_split") -> SplitRef:
    """Parse `split` or `config:split`; a malformed value raises `ParamError`."""
    text = value.strip()
    config, sep, name = text.partition(":")
    if not sep:
        config, name = "", text
    if not name or (sep and not config) or ":" in name:
        raise ParamError(
            f"{flag_for(param)} '{value}' is not a valid split. Write a split name, or a config and a split "
            "separated by a colon, such as train or en:train."
        )
    return SplitRef(config or None, name, text)


def load_splits(
    data_path: str,
    train_split: str = "train",
    valid_split: str | None = None,
    max_samples: int | None = None,
) -> LoadedData:
    """Load the train split (and the validation split when `valid_split` is given) of `data_path`.

    `max_samples` keeps the first N rows of each split. Raises `DataError` for every data problem.
    """
    if max_samples is not None and max_samples < 1:
        raise ParamError(f"--max-samples must be at least 1 (got {max_samples}); leave it out to use all rows.")
    valid_split = valid_split or None
    path = Path(data_path).expanduser()
    if path.is_file() or (path.is_dir() and is_saved_dataset(path)):
        picks = _single_source(path, data_path, train_split, valid_split)
    else:
        open_store = _store_opener(path, data_path)
        refs = {"train_split": parse_split(train_split, "train_split")}
        if valid_split:
            refs["valid_split"] = parse_split(valid_split, "valid_split")
        stores = {param: _locate(open_store, ref, param) for param, ref in refs.items()}  # all checks first
        picks = [
            _Pick(store.label, store.splits[refs[param].name], store.load(refs[param].name), param)
            for param, store in stores.items()
        ]
    finished = [_finish(pick, max_samples) for pick in picks]
    return LoadedData(
        train=finished[0],
        valid=finished[1] if len(finished) > 1 else None,
        source=_describe_source(picks),
    )


def require_columns(dataset: datasets.Dataset, columns: Mapping[str, str | None], *, split: str, source: str) -> None:
    """Raise one `DataError` naming every column in `columns` (param name -> column) the dataset lacks."""
    present = list(dataset.column_names)
    missing = [(param, column) for param, column in columns.items() if column and column not in present]
    if not missing:
        return
    listed = ", ".join(present[:_MAX_LISTED]) or "(none)"
    if len(present) > _MAX_LISTED:
        listed += f" ... ({len(present)} in all)"
    if len(missing) == 1:
        param, column = missing[0]
        head = f"Column '{column}' (set by {param}) not found"
        tail = f"Pass {flag_for(param)} <name> with one of those columns."
    else:
        head = "Columns " + _join([f"'{column}' (set by {param})" for param, column in missing]) + " not found"
        tail = "Pass " + _join([f"{flag_for(param)} <name>" for param, _ in missing]) + " with columns from that list."
    hints = "".join(_suggest(param, column, present) for param, column in missing)
    raise DataError(f"{head} in the {split} split of {source}. Columns present: {listed}. {hints}{tail}")


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _suggest(param: str, column: str, present: list[str]) -> str:
    folded = [name for name in present if name.lower() == column.lower()]
    close = folded or difflib.get_close_matches(column, present, n=1, cutoff=0.75)
    return f"Did you mean '{close[0]}' for {flag_for(param)}? " if close else ""


def _single_source(path: Path, shown: str, train_split: str, valid_split: str | None) -> list[_Pick]:
    """A single file or a single saved Dataset: all of it is the train split."""
    kind = "file" if path.is_file() else "saved dataset"
    label = f"{kind} {shown}"
    ref = parse_split(train_split, "train_split")
    if ref.config not in (None, "default"):
        raise _config_error(ref, "train_split", label, f"{shown} is a single {kind}")
    same = valid_split is not None and path.is_file() and _same_file(valid_split, path)
    if valid_split is None or same:
        dataset = read_file(path) if path.is_file() else load_saved_dataset(path, shown)
        picks = [_Pick(label, "", dataset, "train_split")]
        return [*picks, _Pick(label, "", dataset, "valid_split")] if same else picks
    fix = (
        "put both files in one folder as train.<ext> and valid.<ext> and pass that folder with --valid-split valid"
        if path.is_file()
        else "save a DatasetDict holding both splits with save_to_disk and pass its folder"
    )
    raise DataError(
        f"The data path {shown} is a single {kind}, so all of it is the train split, and --valid-split "
        f"'{valid_split}' cannot pick another split from it. To validate on separate data, {fix}; or leave "
        "--valid-split out to train without validation."
    )


def _same_file(candidate: str, path: Path) -> bool:
    other = Path(candidate).expanduser()
    try:
        return other.is_file() and os.path.samefile(other, path)
    except OSError:
        return False


def _store_opener(path: Path, shown: str) -> Callable[[SplitRef, str], Store]:
    """Return a function that opens (once per config) the store holding a split."""
    if not path.is_dir() and not looks_like_hub_id(shown):
        raise DataError(
            f"Data path '{shown}' does not exist (looked for {path.resolve()}). Pass an existing folder "
            "holding train.jsonl (or .csv, .json, .parquet), a single data file, a folder written by "
            "datasets.save_to_disk, or a hub dataset id such as owner/name."
        )
    opened: dict[str | None, Store] = {}

    def open_store(ref: SplitRef, param: str) -> Store:
        if ref.config not in opened:
            opened[ref.config] = _open_store(path, shown, ref, param)
        return opened[ref.config]

    return open_store


def _open_store(path: Path, shown: str, ref: SplitRef, param: str) -> Store:
    if not path.is_dir():
        return hub_store(shown, ref.config)
    config = ref.config
    if config is None or config == "default":
        return folder_store(path, shown)
    label = f"folder {shown}"
    if is_saved_dict(path):
        raise _config_error(ref, param, label, f"{shown} is a saved DatasetDict, which has no configs")
    subfolder = path / config
    if subfolder.is_dir():
        return folder_store(subfolder, os.path.join(shown, config))
    subfolders = sorted(item.name for item in path.iterdir() if item.is_dir() and not item.name.startswith("."))
    found = f"its subfolders are {', '.join(subfolders)}" if subfolders else "it has no subfolders"
    raise _config_error(ref, param, label, f"in a local folder a config is a subfolder, and {found}")


def _config_error(ref: SplitRef, param: str, label: str, why: str) -> DataError:
    flag = flag_for(param)
    return DataError(
        f"{flag} '{ref.text}' names config '{ref.config}', but {label} has no config of that name: configs "
        f"belong to hub datasets ({why}). Pass {flag} {ref.name} instead."
    )


def _locate(open_store: Callable[[SplitRef, str], Store], ref: SplitRef, param: str) -> Store:
    store = open_store(ref, param)
    if ref.name in store.splits:
        return store
    flag = flag_for(param)
    found = ", ".join(name if note == name else f"{name} ({note})" for name, note in store.splits.items())
    hint = store.train_hint if param == "train_split" else f", or leave {flag} out to train without validation"
    raise DataError(
        f"No split named '{ref.name}' in {store.label}. Splits found: {found or '(none)'}. "
        f"Pass {flag} with one of those names{hint}."
    )


def _finish(pick: _Pick, max_samples: int | None) -> datasets.Dataset:
    dataset = pick.dataset
    if len(dataset) == 0:
        where = f"{pick.label} ({pick.part})" if pick.part else pick.label
        raise DataError(
            f"The {_ROLES[pick.param]} split of {where} has no rows. Add examples to it, or pass "
            f"{flag_for(pick.param)} naming a split that has data."
        )
    if max_samples is not None and max_samples < len(dataset):
        dataset = dataset.select(range(max_samples))
    return dataset


def _describe_source(picks: list[_Pick]) -> str:
    parts: dict[str, list[str]] = {}
    for pick in picks:
        notes = parts.setdefault(pick.label, [])
        if pick.part and pick.part not in notes:
            notes.append(pick.part)
    return " and ".join(label + (f" ({', '.join(notes)})" if notes else "") for label, notes in parts.items())
