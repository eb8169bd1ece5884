"""One way to run a tokenisation `Dataset.map`: batched, several processes for large data, cached.

Every task tokenises through `tokenize_map`. The result is cached by datasets (next to the Arrow
files of a dataset read from disk, in the datasets cache) under a fingerprint made from the input
dataset and a hash of `fn`; re-running the same command then loads the tokenised data instead of
tokenising again. For that, `fn` must hash the same in every run: a closure over plain values
(column names, ints, a tokenizer, a params object) does; one over a logger, a lock, an open file or
a random object does not (`stable_hash` tells). Datasets held in memory (built from Python rows)
are tokenised every run; nothing is cached for them.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import datasets

# Below this many rows one process is faster than starting workers.
ROWS_PER_WORKER = 20_000
MAX_AUTO_WORKERS = 8


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def choose_workers(rows: int, requested: int | None = None, cores: int | None = None) -> int:
    """Processes for a map over `rows` rows: `requested` when given (capped at one per row chunk),
    else one per ROWS_PER_WORKER rows, at most one per core and MAX_AUTO_WORKERS."""
    if requested is not None:
        return max(1, min(requested, rows))
    cores = cores or available_cores()
    return max(1, min(rows // ROWS_PER_WORKER, cores, MAX_AUTO_WORKERS))


def tokenize_map(
    dataset: datasets.Dataset,
    fn: Callable[..., dict[str, list[Any]]],
    *,
    workers: int | None = None,
    remove_columns: list[str] | None = None,
    batch_size: int = 1000,
    with_indices: bool = False,
    desc: str | None = None,
) -> datasets.Dataset:
    """`dataset.map(fn, batched=True)` with the number of processes chosen by `choose_workers`.

    `remove_columns` defaults to every input column (the output holds only what `fn` returns).
    `workers` is the user's --num-workers (None: automatic).
    """
    columns = dataset.column_names if remove_columns is None else remove_columns
    num_proc = choose_workers(len(dataset), workers)
    return dataset.map(
        fn,
        batched=True,
        batch_size=batch_size,
        with_indices=with_indices,
        remove_columns=columns,
        num_proc=num_proc if num_proc > 1 else None,
        desc=desc,
    )


def stable_hash(fn: Callable[..., Any]) -> str | None:
    """datasets' hash of `fn` (what its cache is keyed on), or None when `fn` cannot be hashed."""
    from datasets.fingerprint import Hasher

    try:
        return Hasher.hash(fn)
    except Exception:
        return None
