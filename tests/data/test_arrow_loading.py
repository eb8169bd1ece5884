"""Local files are read through datasets' Arrow builders: memory-mapped, cached, same rows as the checker."""

from __future__ import annotations

import codecs
import json
import logging
import time
import tracemalloc
from pathlib import Path

import datasets
import pytest

from aitraining.data import arrow_files, readers
from aitraining.data.loading import load_splits
from aitraining.errors import DataError


def chat_rows(count: int) -> list[dict]:
    return [
        {
            "messages": [
                {"role": "user", "content": f"question {i} about {'colour ' * (i % 7)}"},
                {"role": "assistant", "content": f"answer {i}" + " more" * (i % 11)},
            ]
        }
        for i in range(count)
    ]


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


# Files the Arrow reader and the line-by-line reader must turn into the same dataset.
SAME_ROWS = {
    "missing keys become null": '{"text": "a"}\n{"text": "b", "label": 1}\n',
    "null first": '{"t": null}\n{"t": "x"}\n',
    "ints and floats": '{"v": 1}\n{"v": 2.5}\n',
    "blank lines": '{"text": "a"}\n\n  \n{"text": "b"}\n',
    "crlf": '{"text": "a"}\r\n{"text": "b"}\r\n',
    "bom": codecs.BOM_UTF8.decode() + '{"text": "a"}\n',
    "unicode": '{"text": "caf\\u00e9 \u65e5\u672c \U0001f600"}\n',
    "optional message fields": (
        '{"messages": [{"role": "user", "content": "hi"}]}\n'
        '{"messages": [{"role": "assistant", "content": "x", "name": "bot"}]}\n'
    ),
}


@pytest.mark.parametrize("content", SAME_ROWS.values(), ids=SAME_ROWS.keys())
def test_arrow_reader_gives_the_rows_of_the_line_reader(tmp_path: Path, content: str) -> None:
    path = tmp_path / "train.jsonl"
    path.write_text(content, encoding="utf-8", newline="")
    fast = readers.read_file(path)
    assert arrow_files.is_cached(fast), "the Arrow path was not taken"
    slow = readers._read_jsonl(path)
    assert fast.to_list() == slow.to_list()
    assert fast.features == slow.features


def test_csv_and_parquet_are_read_through_arrow_like_before(tmp_path: Path) -> None:
    csv_path = tmp_path / "train.csv"
    csv_path.write_text('text,label,score\n"hello, you",NA,1.5\n,b,\nbye,null,2\n', encoding="utf-8")
    fast = readers.read_file(csv_path)
    assert arrow_files.is_cached(fast)
    assert fast.to_list() == readers._read_csv(csv_path).to_list()
    assert fast["label"] == ["NA", "b", "null"]  # only empty fields are missing values
    assert fast["text"] == ["hello, you", None, "bye"]

    parquet_path = tmp_path / "train.parquet"
    fast.to_parquet(str(parquet_path))
    from_parquet = readers.read_file(parquet_path)
    assert arrow_files.is_cached(from_parquet)
    assert from_parquet.to_list() == fast.to_list()


def test_a_first_line_that_is_a_list_keeps_its_precise_message(tmp_path: Path) -> None:
    path = tmp_path / "train.jsonl"
    path.write_text('[{"text": "a"}]\n', encoding="utf-8")
    with pytest.raises(DataError, match=r"train.jsonl, line 1: the line is valid JSON but a list, not an object"):
        readers.read_file(path)


def test_when_the_arrow_reader_fails_the_line_reader_reads_the_file_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    path = write_jsonl(tmp_path / "train.jsonl", [{"text": "a"}, {"text": "b"}])

    def broken(*_args: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(arrow_files, "load_arrow", broken)
    with caplog.at_level(logging.WARNING, logger="aitraining"):
        dataset = readers.read_file(path)
    assert dataset["text"] == ["a", "b"]
    assert "could not read this file (RuntimeError: disk on fire)" in caplog.text
    assert "read row by row" in caplog.text


def test_a_second_load_of_the_same_file_comes_from_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_jsonl(tmp_path / "train.jsonl", chat_rows(500))
    first = load_splits(str(path)).train

    def no_parsing(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the file was parsed again")

    from datasets.packaged_modules.json import json as json_builder

    monkeypatch.setattr(json_builder.Json, "_generate_tables", no_parsing)
    second = load_splits(str(path)).train
    assert second.cache_files == first.cache_files
    assert second.to_list() == first.to_list()

    monkeypatch.undo()
    path.write_text(path.read_text() + json.dumps(chat_rows(1)[0]) + "\n")  # a changed file is read again
    third = load_splits(str(path)).train
    assert len(third) == 501
    assert arrow_files.is_cached(third) and third.cache_files != first.cache_files


def _peak_python_memory(load) -> int:
    tracemalloc.start()
    try:
        load()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_peak_memory_stays_within_1_5x_of_load_dataset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Python-heap peak (tracemalloc) of our loader vs load_dataset("json") on a 20k-row chat file.

    The former row-by-row reader peaked at ~8x the file size here; Arrow keeps rows out of the Python heap.
    """
    warm_up = write_jsonl(tmp_path / "warm.jsonl", chat_rows(10))
    for _ in range(2):  # cold, then cached: one-time imports of either path are not counted below
        load_splits(str(warm_up)), datasets.load_dataset("json", data_files=str(warm_up), split="train")
    path = write_jsonl(tmp_path / "train.jsonl", chat_rows(20_000))
    size = path.stat().st_size

    def theirs() -> None:
        datasets.load_dataset("json", data_files=str(path), split="train", cache_dir=str(tmp_path / "theirs"))

    def ours() -> None:
        load_splits(str(path))

    for phase, repeats in (("cold", 1), ("cached", 3)):
        if phase == "cached":
            # arrow_files tells a fresh build from a cache hit by the cache files' mtime, with one second of slack
            # for coarse file-system clocks: a load within that second of the build re-checks the bytes (once more)
            time.sleep(1.1)
        # tracemalloc also counts what other threads allocate meanwhile: the cached loads, repeatable, take the
        # least of three measurements
        ours_peak = min(_peak_python_memory(ours) for _ in range(repeats))
        theirs_peak = min(_peak_python_memory(theirs) for _ in range(repeats))
        assert ours_peak <= 1.5 * theirs_peak + 2**20, (phase, ours_peak, theirs_peak, size)
    assert ours_peak < size / 2  # from the cache, far less than the file itself


def test_non_utf8_bytes_inside_a_string_are_reported_on_every_run(tmp_path: Path) -> None:
    """pyarrow would accept them: the cold load checks the bytes and never leaves that data in the cache."""
    path = tmp_path / "train.jsonl"
    path.write_bytes(b'{"text": "a"}\n{"text": "caf\xe9"}\n')
    for _run in range(2):
        with pytest.raises(DataError, match=rf"{path}, line 2: the file is not UTF-8 text"):
            load_splits(str(path))
