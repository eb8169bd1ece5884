"""Load the tabular splits, check every column, pick feature roles and encode the targets.

Everything here runs before the project folder is touched, so each data problem is one `DataError`
that names the column (and the row, where one is at fault) and says how to fix it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from pandas.api.types import is_bool_dtype, is_numeric_dtype

from aitraining.data.loading import load_splits, require_columns
from aitraining.errors import DataError

if TYPE_CHECKING:
    from sklearn.preprocessing import LabelEncoder

    from aitraining.tasks.tabular.params import TabularParams

_SHOWN = 20  # column names listed in a detection line before "... and N more"


@dataclass
class Columns:
    """The role of every column the model sees (ids and targets are never features)."""

    id_column: str | None
    targets: list[str]
    numerical: list[str]
    categorical: list[str]

    @property
    def features(self) -> list[str]:
        return [*self.numerical, *self.categorical]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class TabularData:
    x_train: pd.DataFrame
    y_train: np.ndarray  # (rows,) for one target, (rows, targets) for several
    x_valid: pd.DataFrame | None
    y_valid: np.ndarray | None
    columns: Columns
    task: str
    problem: str  # binary, multi-class, multi-label, multi-target classification, regression, multi-target regression
    encoders: dict[str, LabelEncoder]  # classification: one per target, mapping labels to 0..k-1
    source: str
    notes: list[str] = field(default_factory=list)

    def describe(self) -> str:
        rows = f"{len(self.x_train)} training rows" + (
            f", {len(self.x_valid)} validation rows" if self.x_valid is not None else ""
        )
        return f"{self.source}: {rows}, {len(self.columns.features)} features ({self.problem})"

    @property
    def has_valid(self) -> bool:
        return self.x_valid is not None


def load_tabular(params: TabularParams, logger: Any) -> TabularData:
    """Read and check the train (and validation) split; every problem raises `DataError`."""
    data_path = params.data_path or ""  # engine.runner has checked --data-path is set
    loaded = load_splits(data_path, params.train_split, params.valid_split, params.max_samples)
    datasets = {"train": loaded.train, "validation": loaded.valid}
    frames: dict[str, pd.DataFrame] = {}
    notes: list[str] = []
    for split, dataset in datasets.items():
        if dataset is None:
            continue
        _require_named_columns(dataset, params, split, loaded.source)
        frames[split] = _drop_missing_targets(dataset.to_pandas(), params.target_columns, split, loaded.source, notes)
    columns = detect_columns(frames["train"], params, notes)
    for split, frame in frames.items():
        declared = params.numerical_columns is not None
        check_numeric(frame, columns.numerical, split=split, source=loaded.source, declared=declared)
    targets = encode_targets(frames, params.target_columns, params.task, loaded.source)
    for line in notes:
        logger.info(line)
    valid = frames.get("validation")
    return TabularData(
        x_train=feature_frame(frames["train"], columns),
        y_train=targets.y["train"],
        x_valid=feature_frame(valid, columns) if valid is not None else None,
        y_valid=targets.y.get("validation"),
        columns=columns,
        task=params.task,
        problem=targets.problem,
        encoders=targets.encoders,
        source=loaded.source,
        notes=notes,
    )


def _require_named_columns(dataset: Any, params: TabularParams, split: str, source: str) -> None:
    named = [
        (name, c)
        for name in ("target_columns", "categorical_columns", "numerical_columns")
        for c in getattr(params, name) or []
    ]
    named += [("id_column", params.id_column)] if params.id_column else []
    for param_name, column in named:  # one at a time: a dict cannot name the same flag twice
        require_columns(dataset, {param_name: column}, split=split, source=source)


def _drop_missing_targets(
    frame: pd.DataFrame, targets: list[str], split: str, source: str, notes: list[str]
) -> pd.DataFrame:
    missing = frame[targets].isna().any(axis=1)
    if missing.all():
        raise DataError(
            f"Every row of the {split} split of {source} lacks a value in target column(s) {', '.join(targets)}. "
            "Check --target-columns, or fill in the targets."
        )
    if missing.any():
        notes.append(f"Dropped {int(missing.sum())} {split} rows with no target value.")
    return frame.loc[~missing].reset_index(drop=True)


def detect_columns(frame: pd.DataFrame, params: TabularParams, notes: list[str]) -> Columns:
    """Use the declared feature columns; detect the undeclared kind among the remaining columns."""
    reserved = {*params.target_columns, params.id_column}
    declared = {*(params.numerical_columns or []), *(params.categorical_columns or [])}
    rest = [c for c in frame.columns if c not in reserved and c not in declared]
    empty = [c for c in rest if frame[c].isna().all()]
    usable = [c for c in rest if c not in empty]
    numerical = params.numerical_columns
    if numerical is None:
        numerical = [c for c in usable if is_numeric_dtype(frame[c]) and not is_bool_dtype(frame[c])]
    categorical = params.categorical_columns
    if categorical is None:
        categorical = [c for c in usable if c not in numerical]
    columns = Columns(params.id_column, list(params.target_columns), list(numerical), list(categorical))
    if not columns.features:
        raise DataError(
            f"No feature columns are left once the id and target columns are set aside (columns: "
            f"{', '.join(frame.columns)}). Check --target-columns and --id-column."
        )
    notes.extend(_detection_lines(frame, params, columns, empty))
    return columns


def _detection_lines(frame: pd.DataFrame, params: TabularParams, columns: Columns, empty: list[str]) -> list[str]:
    lines = []
    for kind, names, given in (
        ("numerical", columns.numerical, params.numerical_columns),
        ("categorical", columns.categorical, params.categorical_columns),
    ):
        how = "Declared" if given is not None else "Detected"
        lines.append(f"{how} {len(names)} {kind} column{'s' if len(names) != 1 else ''}: {_names(names)}.")
    if params.numerical_columns is None or params.categorical_columns is None:
        lines.append("Pass --numerical-columns / --categorical-columns to change the detected roles.")
    if empty:
        lines.append(f"Left out {len(empty)} column(s) with no values at all: {_names(empty)}.")
    unused = [c for c in frame.columns if c not in {*columns.features, *columns.targets, columns.id_column}]
    unused = [c for c in unused if c not in empty]
    if unused:
        lines.append(f"Not used as features (not in the declared lists): {_names(unused)}.")
    for column in columns.features:
        if column.lower() == "id":
            lines.append(
                f"Warning: column '{column}' is used as a feature; pass --id-column {column} if it is a row id."
            )
    for column in columns.categorical:
        distinct = frame[column].nunique()
        if distinct > 50 and distinct > 0.5 * len(frame):
            lines.append(
                f"Warning: categorical column '{column}' has {distinct} distinct values in {len(frame)} rows; "
                "if it is an id or free text, pass --id-column or leave it out of --categorical-columns."
            )
    return lines


def _names(names: list[str]) -> str:
    if not names:
        return "(none)"
    shown = ", ".join(names[:_SHOWN])
    return shown + (f" ... and {len(names) - _SHOWN} more" if len(names) > _SHOWN else "")


def check_numeric(frame: pd.DataFrame, columns: list[str], *, split: str, source: str, declared: bool) -> None:
    """Every numerical column must hold numbers (or nothing); name the first offending row otherwise."""
    for column in columns:
        values = frame[column]
        if is_numeric_dtype(values):
            continue
        bad = pd.to_numeric(values, errors="coerce").isna() & values.notna()
        if not bad.any():
            continue
        row = int(np.flatnonzero(bad.to_numpy())[0])
        role = "declared numerical (--numerical-columns)" if declared else "a numerical column"
        raise DataError(
            f"Column '{column}' is {role}, but row {row + 1} of the {split} split of {source} holds "
            f"'{values.iloc[row]}', which is not a number. Fix or blank that value, or pass the column in "
            "--categorical-columns to treat it as a category."
        )


def feature_frame(frame: pd.DataFrame, columns: Columns) -> pd.DataFrame:
    """The feature columns in the types the pipeline was fitted on: floats, and objects with NaN for missing."""
    out = pd.DataFrame(index=frame.index)
    for column in columns.numerical:
        out[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    for column in columns.categorical:
        values = frame[column].astype(object)
        out[column] = values.where(values.notna(), np.nan)
    return out


@dataclass
class _Targets:
    y: dict[str, np.ndarray]
    encoders: dict[str, LabelEncoder]
    problem: str


def encode_targets(frames: dict[str, pd.DataFrame], targets: list[str], task: str, source: str) -> _Targets:
    if task == "regression":
        y = {split: _numeric_targets(frame, targets, split, source) for split, frame in frames.items()}
        return _Targets(y, {}, "regression" if len(targets) == 1 else "multi-target regression")
    from sklearn.preprocessing import LabelEncoder

    encoders = {}
    for target in targets:
        labels = _labels(frames["train"][target])
        classes = pd.unique(labels)
        if len(classes) < 2:
            raise DataError(
                f"Target column '{target}' holds a single class ('{classes[0]}') in the train split of {source}; "
                "a classifier needs at least two. Check --target-columns, or add rows of the other classes."
            )
        encoders[target] = LabelEncoder().fit(labels)
        if "validation" in frames:
            _check_known(frames["validation"][target], encoders[target], target, source)
    y = {split: _stack([encoders[t].transform(_labels(frame[t])) for t in targets]) for split, frame in frames.items()}
    counts = [len(encoders[t].classes_) for t in targets]
    if len(targets) == 1:
        problem = "binary" if counts[0] == 2 else "multi-class"
    else:
        problem = "multi-label" if max(counts) == 2 else "multi-target classification"
    return _Targets(y, encoders, problem)


def _labels(values: pd.Series) -> np.ndarray:
    """Class labels as plain values; whole-number floats (a CSV column that had blanks) become ints."""
    if values.dtype.kind == "f" and np.all(np.mod(values.to_numpy(), 1) == 0):
        return values.to_numpy().astype(np.int64)
    return values.to_numpy(dtype=object) if not is_numeric_dtype(values) else values.to_numpy()


def _check_known(values: pd.Series, encoder: LabelEncoder, target: str, source: str) -> None:
    unseen = sorted({str(v) for v in pd.unique(_labels(values))} - {str(c) for c in encoder.classes_})
    if unseen:
        raise DataError(
            f"Target column '{target}' of the validation split of {source} holds class(es) "
            f"{', '.join(repr(u) for u in unseen[:10])} that never occur in the train split, so the model cannot "
            "learn them. Move some of those rows into the train split, or remove them."
        )


def _numeric_targets(frame: pd.DataFrame, targets: list[str], split: str, source: str) -> np.ndarray:
    for target in targets:
        values = frame[target]
        bad = pd.to_numeric(values, errors="coerce").isna()  # rows without a target were dropped already
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataError(
                f"Target column '{target}' must hold numbers for --task regression, but row {row + 1} of the "
                f"{split} split of {source} holds '{values.iloc[row]}'. Fix the value, or use --task "
                "classification if the column holds classes."
            )
    return _stack([pd.to_numeric(frame[t]).to_numpy(dtype=float) for t in targets])


def _stack(columns: list[np.ndarray]) -> np.ndarray:
    return columns[0] if len(columns) == 1 else np.column_stack(columns)
