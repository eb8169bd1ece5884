"""`aitraining tabular --predict`: predict new rows with a trained project and write them to CSV.

The rows go through the same checks as training data (feature columns present, numbers in numerical
columns); predictions land in `<project>/predictions.csv`, never replacing an earlier file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from aitraining.engine.predict import free_path
from aitraining.errors import DataError, ParamError, ProjectError
from aitraining.tasks.tabular.data import Columns, check_numeric, feature_frame
from aitraining.tasks.tabular.metrics import aligned_probabilities
from aitraining.tasks.tabular.task import COLUMNS_FILE, ENCODERS_FILE, PIPELINE_FILE

if TYPE_CHECKING:
    from aitraining.tasks.tabular.params import TabularParams


def _trained_roles(project: Path) -> dict[str, Any]:
    if not (project / PIPELINE_FILE).is_file() or not (project / COLUMNS_FILE).is_file():
        raise ProjectError(
            f"No trained tabular model in {project} (it lacks {PIPELINE_FILE}). Point --project-name at the folder "
            f"of a finished 'aitraining tabular --train' run, or train one first (an interrupted training is "
            "finished by running the same training command again)."
        )
    return json.loads((project / COLUMNS_FILE).read_text())


def _load_rows(params: TabularParams, columns: Columns, project: Path) -> tuple[pd.DataFrame, str]:
    from aitraining.data.loading import load_splits

    if not params.data_path:
        raise ParamError("--predict needs --data-path: the rows to predict (a file, a folder or a Hub dataset id).")
    loaded = load_splits(params.data_path, params.train_split, None, params.max_samples)
    present = set(loaded.train.column_names)
    missing = [c for c in columns.features if c not in present]
    if missing:
        raise DataError(
            f"The {params.train_split} split of {loaded.source} lacks column(s) {', '.join(missing)}, which the "
            f"model in {project} was trained on. Add them (blank values are fine: they are imputed)."
        )
    frame = loaded.train.to_pandas()
    check_numeric(frame, columns.numerical, split=params.train_split, source=loaded.source, declared=True)
    return frame, loaded.source


def prediction_frame(
    pipeline: Any, encoders: dict[str, Any], frame: pd.DataFrame, roles: dict[str, Any]
) -> pd.DataFrame:
    """The id column (when the model has one), each target's prediction and, for classes, their probabilities."""
    columns = Columns(roles["id_column"], roles["targets"], roles["numerical"], roles["categorical"])
    x = feature_frame(frame, columns)
    out = pd.DataFrame(index=frame.index)
    if columns.id_column and columns.id_column in frame.columns:
        out[columns.id_column] = frame[columns.id_column]
    predicted = np.asarray(pipeline.predict(x)).reshape(len(x), -1)
    for index, target in enumerate(columns.targets):
        values = predicted[:, index]
        out[target] = encoders[target].inverse_transform(values.astype(int)) if encoders else values
    if roles["task"] == "classification":
        counts = [len(encoders[t].classes_) for t in columns.targets]
        for target, proba in zip(columns.targets, aligned_probabilities(pipeline, x, counts), strict=True):
            for k, label in enumerate(encoders[target].classes_):
                out[f"{target}_proba_{label}"] = proba[:, k]
    return out


def run(resolved: Any) -> int:
    """The --predict action: returns the exit code."""
    import joblib

    params = resolved.params
    project = Path(params.project_name)
    roles = _trained_roles(project)
    columns = Columns(roles["id_column"], roles["targets"], roles["numerical"], roles["categorical"])
    frame, source = _load_rows(params, columns, project)
    pipeline = joblib.load(project / PIPELINE_FILE)
    encoders = joblib.load(project / ENCODERS_FILE) if (project / ENCODERS_FILE).is_file() else {}
    out = prediction_frame(pipeline, encoders, frame, roles)
    path = free_path(project, suffix=".csv")
    out.to_csv(path, index=False)
    print(f"Predicted {len(out)} rows of {source}; written to {path}")
    return 0
