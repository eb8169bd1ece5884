"""Tests for aitraining.data.loading: every data layout, format and error message, on tiny files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import datasets
import pytest

from aitraining.data.loading import LoadedData, SplitRef, load_splits, parse_split
from aitraining.errors import DataError, ParamError


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    return write(path, "".join(json.dumps(row) + "\n" for row in rows))


ROWS = [{"text": f"example {i}", "label": i % 2} for i in range(5)]


def snapshot(folder: Path) -> dict[str, float]:
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in sorted(folder.rglob("*"))}


# --- formats -------------------------------------------------------------------------------------


def test_jsonl_file_loads_with_blank_lines_and_union_of_keys(tmp_path: Path) -> None:
    path = write(tmp_path / "train.jsonl", '{"text": "a"}\n\n   \n{"text": "b", "extra": 1}\n')
    loaded = load_splits(str(path))
    assert isinstance(loaded, LoadedData)
    assert loaded.train.column_names == ["text", "extra"]
    assert loaded.train["text"] == ["a", "b"]
    assert loaded.train["extra"] == [None, 1]
    assert loaded.valid is None
    assert loaded.source == f"file {path}"


def test_csv_file_loads_with_types_and_quoted_newlines(tmp_path: Path) -> None:
    path = write(tmp_path / "data.csv", 'text,label,score\n"multi\nline",1,0.5\nNA,0,\n')
    train = load_splits(str(path)).train
    assert train.column_names == ["text", "label", "score"]
    assert train["text"] == ["multi\nline", "NA"]  # "NA" stays text: only empty fields are missing
    assert train["label"] == [1, 0]
    assert train["score"] == [0.5, None]
    assert train.features["text"] == datasets.Value("string")


def test_json_list_of_objects(tmp_path: Path) -> None:
    path = write(tmp_path / "d.json", json.dumps(ROWS))
    train = load_splits(str(path)).train
    assert len(train) == 5 and train.column_names == ["text", "label"]


def test_json_object_of_columns(tmp_path: Path) -> None:
    path = write(tmp_path / "d.json", json.dumps({"text": ["a", "b", "c"], "label": [0, 1, 0]}))
    train = load_splits(str(path)).train
    assert train["text"] == ["a", "b", "c"] and train["label"] == [0, 1, 0]


def test_json_file_holding_json_lines_is_read_as_jsonl(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "d.json", ROWS)
    assert len(load_splits(str(path)).train) == 5


def test_parquet_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "train.parquet"
    datasets.Dataset.from_list(ROWS).to_parquet(str(path))
    train = load_splits(str(path)).train
    assert train.column_names == ["text", "label"] and len(train) == 5


# --- folders --------------------------------------------------------------------------------------


def test_folder_with_train_and_valid(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "data" / "train.jsonl", ROWS)
    write(tmp_path / "data" / "valid.csv", "text,label\nv,1\n")
    folder = str(tmp_path / "data")
    loaded = load_splits(folder, valid_split="valid")
    assert len(loaded.train) == 5 and loaded.valid is not None and loaded.valid["text"] == ["v"]
    assert loaded.source == f"folder {folder} (train.jsonl, valid.csv)"


def test_folder_shards_are_concatenated_in_order(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "train-00000-of-00002.jsonl", ROWS[:2])
    write_jsonl(tmp_path / "train-00001-of-00002.jsonl", ROWS[2:])
    loaded = load_splits(str(tmp_path))
    assert loaded.train["text"] == [row["text"] for row in ROWS]
    assert "train-00000-of-00002.jsonl, train-00001-of-00002.jsonl" in loaded.source


def test_folder_with_data_subfolder_like_a_hub_download(tmp_path: Path) -> None:
    datasets.Dataset.from_list(ROWS).to_parquet(str(tmp_path / "data" / "train-00000-of-00001.parquet"))
    write(tmp_path / "README.md", "# card")
    loaded = load_splits(str(tmp_path))
    assert len(loaded.train) == 5
    assert loaded.source.endswith("(data/train-00000-of-00001.parquet)")


def test_folder_mixed_formats_in_one_split(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "train.jsonl", ROWS)
    write(tmp_path / "train.csv", "text\na\n")
    with pytest.raises(DataError, match=r"different formats: train\.csv, train\.jsonl"):
        load_splits(str(tmp_path))


def test_folder_without_data_files(tmp_path: Path) -> None:
    write(tmp_path / "notes.txt", "x")
    with pytest.raises(DataError, match=r"holds no data files\. It contains: notes\.txt\."):
        load_splits(str(tmp_path))


def test_missing_split_lists_the_splits_found(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "train.jsonl", ROWS)
    write_jsonl(tmp_path / "test.jsonl", ROWS)
    with pytest.raises(DataError) as info:
        load_splits(str(tmp_path), valid_split="validation")
    assert str(info.value) == (
        f"No split named 'validation' in folder {tmp_path}. Splits found: test (test.jsonl), "
        "train (train.jsonl). Pass --valid-split with one of those names, or leave --valid-split out to "
        "train without validation."
    )
    with pytest.raises(DataError, match=r"Splits found: test \(test\.jsonl\), train .*--train-split"):
        load_splits(str(tmp_path), train_split="training")


def test_missing_valid_split_is_reported_before_reading_train(tmp_path: Path) -> None:
    write(tmp_path / "train.jsonl", "{broken\n")
    with pytest.raises(DataError, match="No split named 'valid'"):
        load_splits(str(tmp_path), valid_split="valid")
    with pytest.raises(DataError, match="single file"):
        load_splits(str(tmp_path / "train.jsonl"), valid_split="valid")


def test_empty_split_is_an_error(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "train.jsonl", ROWS)
    write(tmp_path / "valid.jsonl", "\n")
    with pytest.raises(DataError, match=rf"The validation split of folder {tmp_path} \(valid\.jsonl\) has no rows"):
        load_splits(str(tmp_path), valid_split="valid")


def test_missing_path_names_the_path(tmp_path: Path) -> None:
    missing = str(tmp_path / "nope" / "train.jsonl")
    with pytest.raises(DataError, match=rf"Data path '{missing}' does not exist"):
        load_splits(missing)
    with pytest.raises(DataError, match="Data path 'imdb' does not exist"):
        load_splits("imdb")


# --- single file and split arguments ---------------------------------------------------------------


def test_single_file_with_another_valid_split_is_an_error(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "train.jsonl", ROWS)
    with pytest.raises(DataError, match=r"is a single file, so all of it is the train split, and --valid-split"):
        load_splits(str(path), valid_split="valid")


def test_empty_split_arguments(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "train.jsonl", ROWS)
    assert load_splits(str(tmp_path), valid_split="").valid is None
    assert load_splits(str(path), valid_split="").valid is None
    with pytest.raises(ParamError, match="--train-split '' is not a valid split"):
        load_splits(str(tmp_path), train_split="")


def test_single_file_with_itself_as_valid_split(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "train.jsonl", ROWS)
    loaded = load_splits(str(path), valid_split=str(path))
    assert loaded.valid is not None and loaded.valid["text"] == loaded.train["text"]
    assert loaded.source == f"file {path}"


def test_max_samples_caps_each_split_deterministically(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "train.jsonl", ROWS)
    write_jsonl(tmp_path / "valid.jsonl", ROWS[:2])
    loaded = load_splits(str(tmp_path), valid_split="valid", max_samples=3)
    assert loaded.train["text"] == ["example 0", "example 1", "example 2"]
    assert loaded.valid is not None and len(loaded.valid) == 2
    with pytest.raises(ParamError, match="--max-samples must be at least 1"):
        load_splits(str(tmp_path), max_samples=0)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("train", SplitRef(None, "train", "train")),
        ("en:train", SplitRef("en", "train", "en:train")),
        (" en:validation ", SplitRef("en", "validation", "en:validation")),
    ],
)
def test_parse_split(value: str, expected: SplitRef) -> None:
    assert parse_split(value) == expected


@pytest.mark.parametrize("value", ["", ":train", "en:", "a:b:c"])
def test_parse_split_rejects_malformed(value: str) -> None:
    with pytest.raises(ParamError, match=r"--valid-split .* is not a valid split"):
        parse_split(value, "valid_split")


def test_config_prefix_on_local_folder(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "en" / "train.jsonl", ROWS)
    write_jsonl(tmp_path / "train.jsonl", ROWS[:1])
    loaded = load_splits(str(tmp_path), train_split="en:train", valid_split="default:train")
    assert len(loaded.train) == 5 and loaded.valid is not None and len(loaded.valid) == 1
    assert loaded.source == f"folder {tmp_path}/en (train.jsonl) and folder {tmp_path} (train.jsonl)"
    with pytest.raises(DataError, match=r"--train-split 'fr:train' names config 'fr'.*subfolders are en.*"):
        load_splits(str(tmp_path), train_split="fr:train")


def test_config_prefix_on_single_file_is_an_error(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "train.jsonl", ROWS)
    with pytest.raises(DataError, match=r"names config 'en'.*Pass --train-split train instead\."):
        load_splits(str(path), train_split="en:train")
    assert len(load_splits(str(path), train_split="default:train").train) == 5


# --- save_to_disk ----------------------------------------------------------------------------------


def test_save_to_disk_dataset_dict(tmp_path: Path) -> None:
    folder = tmp_path / "saved"
    datasets.DatasetDict(
        {"train": datasets.Dataset.from_list(ROWS), "test": datasets.Dataset.from_list(ROWS[:2])}
    ).save_to_disk(str(folder))
    loaded = load_splits(str(folder), valid_split="test")
    assert len(loaded.train) == 5 and loaded.valid is not None and len(loaded.valid) == 2
    assert loaded.source == f"saved dataset {folder} (train, test)"
    with pytest.raises(DataError, match=r"No split named 'validation' .* Splits found: train, test\."):
        load_splits(str(folder), valid_split="validation")


def test_save_to_disk_single_dataset_is_the_train_split(tmp_path: Path) -> None:
    folder = tmp_path / "saved"
    datasets.Dataset.from_list(ROWS).save_to_disk(str(folder))
    loaded = load_splits(str(folder))
    assert len(loaded.train) == 5 and loaded.source == f"saved dataset {folder}"
    with pytest.raises(DataError, match="is a single saved dataset"):
        load_splits(str(folder), valid_split="test")


def test_loading_never_writes_into_the_data_folder(tmp_path: Path) -> None:
    datasets.Dataset.from_list(ROWS).save_to_disk(str(tmp_path / "saved"))
    write_jsonl(tmp_path / "plain" / "train.jsonl", ROWS)
    before = snapshot(tmp_path)
    for folder in ("saved", "plain"):
        train = load_splits(str(tmp_path / folder)).train
        train.map(lambda row: {"n": len(row["text"])}).filter(lambda row: row["n"] > 0)
    assert snapshot(tmp_path) == before


# --- hub ------------------------------------------------------------------------------------------


def test_hub_id_offline_fails_fast_with_a_clear_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(DataError) as info:  # how fast: bench/startup_and_offline_failures.py
        load_splits("someone/some-dataset")
    message = str(info.value)
    assert message.startswith("Cannot load hub dataset 'someone/some-dataset': the Hugging Face Hub cannot be")
    assert "pass the local folder or file as the data path" in message


def test_hub_id_offline_by_env_only_never_reaches_datasets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(datasets.config, "HF_HUB_OFFLINE", False)  # set after datasets was imported
    monkeypatch.setattr(datasets, "load_dataset", lambda *a, **k: pytest.fail("load_dataset was called"))
    with pytest.raises(DataError, match=r"cannot be reached \(offline mode is on: HF_HUB_OFFLINE=1\)"):
        load_splits("someone/some-dataset")


def test_hub_id_with_unreachable_endpoint_fails_fast(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("HF_DATASETS_OFFLINE", raising=False)
    monkeypatch.setattr(datasets.config, "HF_HUB_OFFLINE", False)
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    with pytest.raises(DataError, match=r"Hub cannot be reached \(http://127\.0\.0\.1:9: "):
        load_splits("someone/some-dataset", train_split="en:train")  # how fast: bench/


# --- import cost ----------------------------------------------------------------------------------


def test_importing_loading_does_not_import_heavy_libraries() -> None:
    code = (
        "import sys, aitraining.data, aitraining.data.loading; "
        "print([m for m in ('datasets', 'pandas', 'pyarrow', 'torch') if m in sys.modules])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=dict(os.environ)
    )
    assert result.stdout.strip() == "[]"
