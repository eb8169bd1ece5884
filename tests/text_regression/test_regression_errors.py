"""Bad text-regression input fails before anything is trained or written, naming the row and column."""

from __future__ import annotations

import pandas as pd
import pytest

GOOD = {"review": [f"the lamp is good number {i}" for i in range(10)], "score": [float(i % 5) for i in range(10)]}


def write_csv(tmp_path, frame: dict) -> str:
    path = tmp_path / "reviews.csv"
    pd.DataFrame(frame).to_csv(path, index=False)
    return str(path)


@pytest.mark.parametrize(
    ("frame", "flags", "expected"),
    [
        (GOOD, ["--target-column", "scor"], ["Column 'scor' (set by target_column) not found", "'score'"]),
        (
            {**GOOD, "score": [1, 2, 3, 4, 5, 1, "abc", 3, 4, 5]},
            [],
            ["Row 7 of the train split of file ", "column 'score' holds 'abc', not a number"],
        ),
        ({**GOOD, "score": [1.0, None, *range(8)]}, [], ["Row 2 of the train split", "column 'score' is empty"]),
        ({**GOOD, "review": ["ok", *GOOD["review"][1:4], None, *GOOD["review"][5:]]}, [], ["Row 5", "'review'"]),
        ({**GOOD, "score": [2.0] * 10}, [], ["holds the same value (2) in every training row"]),
    ],
    ids=["missing column", "not a number", "empty target", "empty text", "constant target"],
)
def test_bad_input_is_named(tmp_path, tiny_encoder, run_cli, frame, flags, expected):
    project = tmp_path / "project"
    code, log = run_cli(
        "text-regression", "--train", "--model", tiny_encoder, "--data-path", write_csv(tmp_path, frame),
        "--project-name", project, "--text-column", "review", "--target-column", "score", *flags,
    )  # fmt: skip
    assert code == 2, log
    for text in expected:
        assert text in log
    assert not project.exists()
