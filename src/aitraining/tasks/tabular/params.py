"""Parameters of `aitraining tabular`: core, data and hub groups plus the tabular columns and search."""

from __future__ import annotations

from typing import Literal

from aitraining.errors import ParamError
from aitraining.params.fields import param, reused
from aitraining.params.flags import flag_for
from aitraining.params.groups import CORE, CoreParams, DataParams, HubParams, OptimParams, ResumeParams

TABULAR = "Tabular columns"
PREPROCESS = "Tabular preprocessing"
SEARCH = "Tabular hyperparameter search"

# The names users pass to --model; tasks/tabular/models.py holds one spec per name (a test checks both agree).
MODEL_NAMES = (
    "xgboost",
    "lightgbm",
    "random_forest",
    "extra_trees",
    "gradient_boosting",
    "decision_tree",
    "logistic_regression",
    "ridge",
    "lasso",
    "svm",
    "knn",
)
ModelName = Literal[MODEL_NAMES]  # type: ignore[valid-type]


class TabularParams(HubParams, ResumeParams, DataParams, CoreParams):
    # For tabular data --model names an algorithm, not a checkpoint, so it gets its own declaration.
    model: ModelName = param(
        "xgboost",
        "Algorithm: xgboost, lightgbm (needs the lightgbm package), random_forest, extra_trees, "
        "gradient_boosting, decision_tree, logistic_regression (classification), ridge and lasso (regression), "
        "svm, knn.",
        group=CORE,
    )
    # The shared seed declaration, reused as is: tabular has no other optimiser settings to inherit.
    seed: int = reused(OptimParams, "seed")

    id_column: str | None = param(
        None, "Row id column: never used as a feature, copied into prediction files.", group=TABULAR
    )
    target_columns: list[str] = param(
        ["target"],
        "Target column(s), comma-separated or a JSON list; several classification targets make a "
        "multi-label task, several regression targets a multi-target regression.",
        group=TABULAR,
    )
    categorical_columns: list[str] | None = param(
        None,
        "Categorical feature columns (default: detected; non-numeric columns are categorical).",
        group=TABULAR,
    )
    numerical_columns: list[str] | None = param(
        None,
        "Numerical feature columns (default: detected; numeric columns are numerical).",
        group=TABULAR,
    )
    task: Literal["classification", "regression"] = param(
        "classification", "Classification (binary, multi-class, multi-label) or regression.", group=TABULAR
    )

    categorical_imputer: Literal["most_frequent", "none"] = param(
        "most_frequent",
        "How missing categorical values are filled: the most frequent value, or none (missing becomes its "
        "own category).",
        group=PREPROCESS,
    )
    numerical_imputer: Literal["median", "mean", "most_frequent", "none"] = param(
        "median",
        "How missing numerical values are filled; none passes them on (only xgboost, lightgbm, "
        "gradient_boosting, random_forest, extra_trees and decision_tree accept missing values).",
        group=PREPROCESS,
    )
    numeric_scaler: Literal["standard", "minmax", "maxabs", "robust", "none"] = param(
        "standard", "Scaling of numerical columns (matters for linear models, svm and knn).", group=PREPROCESS
    )

    num_trials: int = param(
        10,
        "Hyperparameter search trials in all (an interrupted search resumes and runs only the missing ones).",
        group=SEARCH,
        ge=1,
    )
    time_limit: int = param(
        600,
        "Stop the search after this many seconds, even if trials remain (checked between trials).",
        group=SEARCH,
        ge=1,
    )

    def check(self) -> None:
        """Parameter errors found before any data is read."""
        if not self.target_columns:
            raise ParamError("--target-columns needs at least one column name, such as --target-columns label.")
        self._check_roles()
        self._check_model_fits_task()

    def _check_roles(self) -> None:
        """A column has one role: id, target, categorical or numerical."""
        roles: dict[str, str] = {}
        lists = {
            "id_column": [self.id_column] if self.id_column else [],
            "target_columns": self.target_columns,
            "categorical_columns": self.categorical_columns or [],
            "numerical_columns": self.numerical_columns or [],
        }
        for name, columns in lists.items():
            for column in columns:
                flag = flag_for(name)
                if column in roles:
                    where = "twice in " + flag if roles[column] == flag else f"in both {roles[column]} and {flag}"
                    raise ParamError(
                        f"Column '{column}' is named {where}; a column is either the id, a target, a categorical "
                        "or a numerical feature. Remove it from all but one of these flags."
                    )
                roles[column] = flag

    def _check_model_fits_task(self) -> None:
        only = {"logistic_regression": "classification", "ridge": "regression", "lasso": "regression"}
        wanted = only.get(self.model)
        if wanted and wanted != self.task:
            other = "ridge or lasso" if self.task == "regression" else "logistic_regression"
            raise ParamError(
                f"--model {self.model} is a {wanted} model, but --task is {self.task}. Use --model {other} "
                f"(or any tree model, svm or knn) for {self.task}, or --task {wanted}."
            )
