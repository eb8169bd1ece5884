"""Tests for aitraining.data: the exact messages for malformed files and missing columns."""

from __future__ import annotations

import json
from pathlib import Path

import datasets
import pytest

from aitraining.data.loading import load_splits, require_columns
from aitraining.errors import DataError


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    return write(path, "".join(json.dumps(row) + "\n" for row in rows))


# --- JSON files -----------------------------------------------------------------------------------


@pytest.mark.parametrize("content", ['"just a string"', "42", "[]", "{}", '[{"a": 1}, 3]', '{"a": 1}'])
def test_json_wrong_shape_is_a_clear_error(tmp_path: Path, content: str) -> None:
    path = write(tmp_path / "d.json", content)
    with pytest.raises(DataError, match=r"list of objects|no rows") as info:
        load_splits(str(path))
    assert str(path) in str(info.value)


def test_json_columns_of_different_lengths(tmp_path: Path) -> None:
    path = write(tmp_path / "d.json", json.dumps({"a": [1, 2], "b": [1]}))
    with pytest.raises(DataError, match="different lengths"):
        load_splits(str(path))


def test_invalid_json_names_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path / "d.json", '[\n  {"a": 1},\n  {"a": }\n]')
    with pytest.raises(DataError, match=rf"{path}, line 3, column 9: not valid JSON"):
        load_splits(str(path))


def test_unsupported_suffix(tmp_path: Path) -> None:
    path = write(tmp_path / "train.txt", "hello")
    with pytest.raises(DataError, match=r"unsupported format '\.txt'.*\.jsonl"):
        load_splits(str(path))


# --- JSONL and CSV errors --------------------------------------------------------------------------


def test_malformed_jsonl_line_number(tmp_path: Path) -> None:
    path = write(tmp_path / "train.jsonl", '{"text": "a"}\n\n{"text": "b",}\n')
    with pytest.raises(DataError) as info:
        load_splits(str(path))
    message = str(info.value)
    assert message.startswith(f"{path}, line 3, column 14: not valid JSON (")
    assert "\n" not in message


def test_jsonl_line_that_is_not_an_object(tmp_path: Path) -> None:
    path = write(tmp_path / "train.jsonl", '{"text": "a"}\n["text"]\n')
    with pytest.raises(DataError, match=rf"{path}, line 2: .* a list, not an object"):
        load_splits(str(path))


def test_jsonl_not_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "train.jsonl"
    path.write_bytes(b'{"text": "a"}\n{"text": "\xff"}\n')
    with pytest.raises(DataError, match=rf"{path}, line 2: the file is not UTF-8"):
        load_splits(str(path))


def test_jsonl_mixed_types_in_a_column(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "train.jsonl", [{"a": "x"}, {"a": None}, {"a": 3}])
    with pytest.raises(DataError, match=r"column 'a' mixes value types: a string on line 1 but a number on line 3"):
        load_splits(str(path))


@pytest.mark.parametrize(
    ("text", "line", "column", "found"),
    [
        ("a,b\n1,2\n3,4,5\n", 3, 5, 3),  # column 5: where the extra field "5" starts
        ('a,b\n"x\ny",2\n\n3\n', 5, 2, 1),  # the quoted newline and the blank line count as physical lines
        ('a,b\n"p,q",2,"r\ns",t\n', 2, 9, 4),  # quoted commas are not separators
    ],
)
def test_csv_row_with_wrong_field_count(tmp_path: Path, text: str, line: int, column: int, found: int) -> None:
    path = write(tmp_path / "train.csv", text)
    with pytest.raises(DataError, match=rf"{path}, line {line}, column {column}: expected 2 fields .* found {found};"):
        load_splits(str(path))


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        ("", "is empty"),
        ("\n\n", "is empty"),
        ("text,label\n", r"header line \(text, label\) but no data rows"),
        ("a,a\n1,2\n", "line 1: the header names column 'a' twice"),
    ],
)
def test_csv_empty_headers_only_and_duplicate_header(tmp_path: Path, text: str, pattern: str) -> None:
    path = write(tmp_path / "train.csv", text)
    with pytest.raises(DataError, match=pattern):
        load_splits(str(path))


# --- require_columns -------------------------------------------------------------------------------


def test_require_columns_one_missing() -> None:
    dataset = datasets.Dataset.from_dict({"a": [1], "b": [2], "c": [3]})
    with pytest.raises(DataError) as info:
        require_columns(dataset, {"text_column": "a", "rejected_text_column": "rej"}, split="train", source="S")
    assert str(info.value) == (
        "Column 'rej' (set by rejected_text_column) not found in the train split of S. Columns present: "
        "a, b, c. Pass --rejected-text-column <name> with one of those columns."
    )


def test_require_columns_several_missing_with_a_suggestion() -> None:
    dataset = datasets.Dataset.from_dict({"Prompt": ["p"], "chosen": ["c"]})
    with pytest.raises(DataError) as info:
        require_columns(
            dataset,
            {"prompt_column": "prompt", "text_column": "chosen", "rejected_text_column": "rejected"},
            split="validation",
            source="folder ./d (valid.jsonl)",
        )
    assert str(info.value) == (
        "Columns 'prompt' (set by prompt_column) and 'rejected' (set by rejected_text_column) not found in "
        "the validation split of folder ./d (valid.jsonl). Columns present: Prompt, chosen. Did you mean "
        "'Prompt' for --prompt-column? Pass --prompt-column <name> and --rejected-text-column <name> with "
        "columns from that list."
    )


def test_require_columns_passes_and_skips_unset() -> None:
    dataset = datasets.Dataset.from_dict({"text": ["t"]})
    require_columns(dataset, {"text_column": "text", "prompt_column": None}, split="train", source="S")
