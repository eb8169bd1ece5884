"""Helpers shared by the tabular tests (imported by name: pytest puts this folder on sys.path)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from aitraining.cli.main import main

SEED = 0


def run_cli(capsys, *argv) -> tuple[int, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out + err


def train_args(data: Path, project: Path, *extra) -> list:
    return ["tabular", "--train", "--data-path", data, "--project-name", project, *extra]


def final_metrics(project: Path) -> dict:
    return json.loads((project / "metrics.json").read_text())["final"]


def write_splits(folder: Path, frame: pd.DataFrame, stratify: str | None = None) -> Path:
    """train.csv and valid.csv (a fixed 75/25 split) in `folder`."""
    from sklearn.model_selection import train_test_split

    train, valid = train_test_split(
        frame, test_size=0.25, random_state=SEED, stratify=frame[stratify] if stratify else None
    )
    folder.mkdir(parents=True, exist_ok=True)
    train.to_csv(folder / "train.csv", index=False)
    valid.to_csv(folder / "valid.csv", index=False)
    return folder


def sklearn_frame(loader, target: str = "target") -> pd.DataFrame:
    bunch = loader(as_frame=True)
    frame = bunch.frame.rename(columns={"target": target})
    return frame
