"""Datasets for the tabular tests: scikit-learn's bundled real data written to CSV (no download)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from tabular_helpers import SEED, sklearn_frame, write_splits


@pytest.fixture(scope="session")
def breast_cancer(tmp_path_factory) -> Path:
    """Breast cancer with text labels, an id column, split into train and valid."""
    from sklearn.datasets import load_breast_cancer

    frame = sklearn_frame(load_breast_cancer, "diagnosis")
    frame["diagnosis"] = np.where(frame["diagnosis"] == 1, "benign", "malignant")
    frame.insert(0, "id", range(len(frame)))
    return write_splits(tmp_path_factory.mktemp("breast_cancer"), frame, stratify="diagnosis")


@pytest.fixture(scope="session")
def raw_rows(tmp_path_factory) -> Path:
    """Breast cancer plus an informative categorical column, with missing values in both kinds of column."""
    from sklearn.datasets import load_breast_cancer

    frame = sklearn_frame(load_breast_cancer, "diagnosis")
    rng = np.random.default_rng(SEED)
    # 'size' follows 'mean radius' (informative); 'colour' is noise; both get blanks.
    frame["size"] = pd.cut(frame["mean radius"], [0, 12, 15, 100], labels=["small", "medium", "large"]).astype(str)
    frame["colour"] = rng.choice(["red", "green", "blue"], len(frame))
    for column in ("mean radius", "worst area", "size", "colour"):
        frame.loc[rng.random(len(frame)) < 0.08, column] = np.nan
    return write_splits(tmp_path_factory.mktemp("raw_rows"), frame, stratify="diagnosis")
