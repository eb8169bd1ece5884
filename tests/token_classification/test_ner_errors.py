"""Bad token-classification input fails before anything is trained or written, naming the row and column."""

from __future__ import annotations

import json

import pytest

GOOD = [{"tokens": ["ada", "lives", "in", "paris"], "tags": ["B-PER", "O", "O", "B-LOC"]}] * 6


def write_rows(path, rows) -> str:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return str(path)


@pytest.mark.parametrize(
    ("rows", "flags", "expected"),
    [
        (
            GOOD,
            ["--tags-column", "ner_tags"],
            ["Column 'ner_tags' (set by tags_column) not found", "present: tokens, tags"],
        ),
        (
            [*GOOD[:2], {"tokens": ["ada", "lives", "in", "paris"], "tags": ["B-PER", "O", "O"]}, *GOOD],
            [],
            ["Row 3 of the train split of file ", "column 'tokens' has 4 words but column 'tags' has 3 tags"],
        ),
        (
            [{"tokens": "ada lives here", "tags": ["B-PER", "O", "O"]}] * 3,
            [],
            ["Row 1 of the train split", "column 'tokens' holds 'ada lives here', not a list of words"],
        ),
        ([{"tokens": ["ada", "x"], "tags": [1, 1.5]}] * 3, [], ["Row 1 of the train split", "the tag 1.5"]),
        ([{"tokens": ["ada"], "tags": ["O"]}] * 6, [], ["holds a single tag ('O')"]),
    ],
    ids=["missing column", "length mismatch", "words not a list", "bad tag", "single tag"],
)
def test_bad_input_is_named(tmp_path, tiny_encoder, run_cli, rows, flags, expected):
    project = tmp_path / "project"
    data = write_rows(tmp_path / "ner.jsonl", rows)
    code, log = run_cli(
        "token-classification", "--train", "--model", tiny_encoder, "--data-path", data, "--project-name", project,
        *flags,
    )  # fmt: skip
    assert code == 2, log
    for text in expected:
        assert text in log
    assert not project.exists()


def test_validation_tags_unseen_in_training(tmp_path, tiny_encoder, run_cli):
    (tmp_path / "d").mkdir()
    write_rows(tmp_path / "d" / "train.jsonl", GOOD)
    write_rows(tmp_path / "d" / "valid.jsonl", [{"tokens": ["acme"], "tags": ["B-ORG"]}])
    code, log = run_cli(
        "token-classification", "--train", "--model", tiny_encoder, "--data-path", tmp_path / "d",
        "--valid-split", "valid", "--project-name", tmp_path / "p",
    )  # fmt: skip
    assert code == 2 and "tags that never occur in training: B-ORG" in log, log


def test_bad_json_text_in_a_csv_cell(tmp_path, tiny_encoder, run_cli):
    (tmp_path / "ner.csv").write_text('tokens,tags\n"[""ada""]","[""B-PER""]"\n"[""ada""]","[B-PER"\n')
    code, log = run_cli(
        "token-classification", "--train", "--model", tiny_encoder, "--data-path", tmp_path / "ner.csv",
        "--project-name", tmp_path / "p",
    )  # fmt: skip
    assert code == 2 and "Row 2 of the train split" in log and "column 'tags' holds '[B-PER'" in log, log
