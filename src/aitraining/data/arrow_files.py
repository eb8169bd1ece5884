"""The fast path for local data files: datasets' Arrow builders (json, csv, parquet).

The rows are parsed by pyarrow / pandas in chunks and written once to Arrow files in the datasets
cache (`HF_DATASETS_CACHE`, by default ~/.cache/huggingface/datasets), which are then memory-mapped:
a file larger than memory can be read, and the same unchanged file is not parsed again on the next
run. Nothing is written next to the user's file.

These functions never produce user-facing messages: any failure raises, and `readers.read_file`
then runs the line-by-line reader, which names the file, line and column of the problem.
"""

from __future__ import annotations

import codecs
import contextlib
import logging
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import datasets

# Options that make the builders read the file the way the line-by-line readers do.
JSON_OPTIONS: dict[str, Any] = {
    "on_mixed_types": None,  # a column mixing types is an error (datasets would silently store JSON text)
    "parse_agent_traces": False,
}
CSV_OPTIONS: dict[str, Any] = {
    "encoding": "utf-8-sig",
    "keep_default_na": False,  # "NA", "null", "None" stay text; only empty fields are missing
    "na_values": [""],
}


class NotForArrow(Exception):
    """The file's shape is one the Arrow builders would read differently from our rules."""


def load_json_lines(path: Path) -> datasets.Dataset:
    """A .jsonl file; a file that does not start with an object is left to the line reader."""
    if _first_char(path) != "{":
        raise NotForArrow(f"{path} does not start with a JSON object")
    started = time.time()
    dataset = load_arrow(path, "json", JSON_OPTIONS)
    if _built_since(dataset, started):  # parsed now, not loaded from the cache: check it once
        try:
            _check_utf8(path)  # pyarrow's JSON parser lets invalid UTF-8 through inside strings
        except UnicodeDecodeError:
            _forget(dataset)  # so the next run cannot load the bad data from the cache
            raise
    return dataset


def load_csv(path: Path) -> datasets.Dataset:
    """A .csv file; text columns are plain `string` (pandas hands Arrow `large_string`), as everywhere else."""
    from datasets import Value

    dataset = load_arrow(path, "csv", CSV_OPTIONS)
    features = dataset.features.copy()
    large = [name for name, feature in features.items() if feature == Value("large_string")]
    if not large:
        return dataset
    for name in large:
        features[name] = Value("string")
    with _quiet():
        return dataset.cast(features)  # a cached rewrite: the next run of the same file loads it


def load_parquet(path: Path) -> datasets.Dataset:
    return load_arrow(path, "parquet", {})


def load_arrow(path: Path, builder: str, options: dict[str, Any]) -> datasets.Dataset:
    """`datasets.load_dataset(builder, data_files=path)`, quietly (no progress bars, no error logs)."""
    import datasets

    with _quiet():
        return datasets.load_dataset(builder, data_files=str(path.resolve()), split="train", **options)


def is_cached(dataset: datasets.Dataset) -> bool:
    """True when the dataset is backed by Arrow files on disk (memory-mapped), not held in memory."""
    return bool(dataset.cache_files)


def _built_since(dataset: datasets.Dataset, started: float) -> bool:
    files = [Path(item["filename"]) for item in dataset.cache_files]
    return not files or any(item.stat().st_mtime >= started - 1 for item in files)


def _forget(dataset: datasets.Dataset) -> None:
    """Remove the cache folder(s) holding the dataset's Arrow files."""
    for folder in {Path(item["filename"]).parent for item in dataset.cache_files}:
        shutil.rmtree(folder, ignore_errors=True)


def _check_utf8(path: Path, chunk: int = 1 << 20) -> None:
    """Decode the file in chunks (C speed, constant memory); raises UnicodeDecodeError on bad bytes."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as handle:
        while block := handle.read(chunk):
            decoder.decode(block)
    decoder.decode(b"", final=True)


def _first_char(path: Path) -> str:
    with path.open("rb") as handle:
        head = handle.read(4096)
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    return chr(text[0]) if text else ""


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Silence datasets' own error log lines and progress bars: our reader reports problems itself."""
    from datasets import utils as progress

    log = logging.getLogger("datasets")
    level = log.level
    bars_were_on = not progress.are_progress_bars_disabled()
    log.setLevel(logging.CRITICAL)
    progress.disable_progress_bars()
    try:
        yield
    finally:
        log.setLevel(level)
        if bars_were_on:
            progress.enable_progress_bars()
