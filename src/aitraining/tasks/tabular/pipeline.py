"""One scikit-learn pipeline from raw rows to predictions: imputation, scaling, encoding, model.

Only scikit-learn (and the model's own library) is inside, so `joblib.load` works wherever those are
installed, without aitraining. Unseen categories are encoded as "unknown" rather than failing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aitraining.tasks.tabular.data import Columns
from aitraining.tasks.tabular.models import ModelSpec, build_estimator, threads_for

if TYPE_CHECKING:
    from aitraining.tasks.tabular.params import TabularParams

PREPROCESS_STEP = "preprocess"
MODEL_STEP = "model"


def _scaler(name: str) -> Any:
    from sklearn import preprocessing

    classes = {
        "standard": preprocessing.StandardScaler,
        "minmax": preprocessing.MinMaxScaler,
        "maxabs": preprocessing.MaxAbsScaler,
        "robust": preprocessing.RobustScaler,
    }
    return classes[name]()


def _numerical_steps(params: TabularParams) -> list[Any]:
    from sklearn.impute import SimpleImputer

    steps = []
    if params.numerical_imputer != "none":
        steps.append(SimpleImputer(strategy=params.numerical_imputer))
    if params.numeric_scaler != "none":
        steps.append(_scaler(params.numeric_scaler))
    return steps


def _categorical_steps(params: TabularParams, trees: bool) -> list[Any]:
    from sklearn.impute import SimpleImputer
    from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder

    steps = []
    if params.categorical_imputer != "none":
        steps.append(SimpleImputer(strategy=params.categorical_imputer))
    if trees:
        # Trees split on codes: unseen categories get -1 and missing ones -2, apart from every known code.
        steps.append(OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1, encoded_missing_value=-2))
    else:
        steps.append(OneHotEncoder(handle_unknown="ignore", sparse_output=False))
    return steps


def build_preprocessor(columns: Columns, params: TabularParams, trees: bool) -> Any:
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import make_pipeline

    parts = []
    for name, names, steps in (
        ("numerical", columns.numerical, _numerical_steps(params)),
        ("categorical", columns.categorical, _categorical_steps(params, trees)),
    ):
        if names:
            parts.append((name, make_pipeline(*steps) if steps else "passthrough", list(names)))
    # Dense output: several models (gradient_boosting) reject sparse matrices; other columns are dropped.
    return ColumnTransformer(parts, remainder="drop", sparse_threshold=0.0)


def build_pipeline(
    spec: ModelSpec, hp: dict[str, Any], columns: Columns, params: TabularParams, n_targets: int, rows: int
) -> Any:
    """The full pipeline; `rows` (training rows) sets the threads each fit uses."""
    from sklearn.pipeline import Pipeline

    estimator = build_estimator(spec, params.task, hp, params.seed, n_targets, threads_for(rows))
    return Pipeline([(PREPROCESS_STEP, build_preprocessor(columns, params, spec.trees)), (MODEL_STEP, estimator)])
