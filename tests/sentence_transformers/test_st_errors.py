"""Bad input fails before any model is loaded, in one message naming the row, column or flag to fix;
flags a trainer does not use are announced and ignored."""

from __future__ import annotations

from pathlib import Path

import pytest
from st_data import write_jsonl

from aitraining.cli.main import main


def _pairs(n: int = 10, **overrides: object) -> list[dict]:
    rows = [{"sentence1": f"first {i}", "sentence2": f"second {i}", "target": i % 2} for i in range(n)]
    for key, value in overrides.items():
        row, column = key.rsplit("_", 1)
        rows[int(row.lstrip("r")) - 1][column] = value
    return rows


def _fails(
    train, tmp_path: Path, rows: list[dict], *flags: str, valid: list[dict] | None = None, model: Path | None = None
) -> str:
    write_jsonl(tmp_path / "data" / "train.jsonl", rows)
    if valid is not None:
        write_jsonl(tmp_path / "data" / "valid.jsonl", valid)
        flags = (*flags, "--valid-split", "valid")
    project = tmp_path / "project"
    code, err = train("--model", str(model or tmp_path / "model"), "--data-path", str(tmp_path / "data"),
                      "--project-name", str(project), *flags)  # fmt: skip
    assert code == 2, err
    assert not project.exists()  # nothing written for a run that never started
    return err


def test_missing_column_names_flag(train, tmp_path):
    err = _fails(train, tmp_path, _pairs(), "--trainer", "triplet")
    assert "Column 'sentence3' (set by sentence3_column) not found in the train split" in err
    assert "Pass --sentence3-column <name>" in err


def test_mixed_types_in_a_jsonl_column_name_the_line(train, tmp_path):
    err = _fails(train, tmp_path, _pairs(r3_target="high"), "--trainer", "pair_score")
    assert "column 'target' mixes value types" in err and "line 3" in err


@pytest.mark.parametrize("bad", ["high", "", "inf"])
def test_score_must_be_a_finite_number(train, tmp_path, bad):
    """In a CSV one stray word turns the whole column to text; the stray word's row is the one named."""
    rows = _pairs(r3_target=bad)
    csv = "sentence1,sentence2,target\n" + "".join(f"{r['sentence1']},{r['sentence2']},{r['target']}\n" for r in rows)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "train.csv").write_text(csv)
    project = tmp_path / "project"
    code, err = train("--trainer", "pair_score", "--model", str(tmp_path / "model"), "--data-path",
                      str(tmp_path / "data"), "--project-name", str(project))  # fmt: skip
    assert code == 2 and not project.exists()
    assert "Row 3 of the train split" in err and "column 'target' must hold a similarity score" in err


def test_class_must_be_a_class(train, tmp_path):
    err = _fails(train, tmp_path, _pairs(r4_target=0.5), "--trainer", "pair_class")
    assert "Row 4 of the train split" in err and "column 'target' must hold a class" in err


def test_empty_sentence_named(train, tmp_path):
    err = _fails(train, tmp_path, _pairs(r2_sentence2="  "), "--trainer", "pair")
    assert "Row 2 of the train split" in err and "column 'sentence2' must hold non-empty text" in err


def test_one_column_for_two_roles(train, tmp_path):
    err = _fails(train, tmp_path, _pairs(), "--trainer", "pair", "--sentence2-column", "sentence1")
    assert "--sentence1-column and --sentence2-column both name column 'sentence1'" in err


def test_pair_class_needs_two_classes(train, tmp_path, tiny_encoder):
    rows = [{**r, "target": 1} for r in _pairs()]
    err = _fails(train, tmp_path, rows, "--trainer", "pair_class", model=tiny_encoder)
    assert "single class ('1')" in err


def test_validation_classes_must_occur_in_training(train, tmp_path, tiny_encoder):
    valid = [{**r, "target": "maybe"} for r in _pairs(4)]
    err = _fails(train, tmp_path, _pairs(), "--trainer", "pair_class", valid=valid, model=tiny_encoder)
    assert "classes that never occur in training: maybe" in err


@pytest.mark.parametrize(
    ("flags", "warning"),
    [
        (["--trainer", "pair", "--target-column", "score"], "target_column only applies to pair_class, pair_score"),
        (["--trainer", "pair_score", "--sentence3-column", "neg"], "sentence3_column only applies to triplet"),
        (["--trainer", "qa", "--sentence3-column", "neg"], "sentence3_column only applies to triplet"),
    ],
)
def test_unused_flags_warn_and_are_ignored(capsys, flags, warning):
    assert main(["sentence-transformers", *flags, "--explain"]) == 0
    out, err = capsys.readouterr()
    assert f"Warning: {warning}, will be ignored" in err
    column = flags[2].lstrip("-").replace("-", "_")
    assert f"{column}" in out and "[default]" in next(line for line in out.splitlines() if f" {column} " in line)


def test_help_lists_trainers_and_columns(capsys):
    assert main(["sentence-transformers", "--help"]) == 0
    out = capsys.readouterr().out
    for text in ("--trainer", "pair_class", "--sentence1-column", "--sentence3-column", "--target-column"):
        assert text in out
