"""The algorithms behind `--model`: how each is built and the hyperparameters the search explores.

Every spec names a search space (an Optuna trial in, keyword arguments out) and the library defaults
inside that space, which the search tries first so it never starts below a plain fit. Estimator
libraries are imported when a model is built, never when this module is imported.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aitraining.errors import NotAvailableError

Space = Callable[[Any, str], dict[str, Any]]  # (optuna trial, task) -> hyperparameters


@dataclass(frozen=True)
class ModelSpec:
    name: str
    build: Callable[[str, dict[str, Any], int, int], Any]  # (task, hyperparameters, seed, threads) -> estimator
    space: Space
    defaults: Callable[[str], dict[str, Any]]  # task -> the library defaults, expressed in the space
    trees: bool  # trees split on ordinal codes and accept missing values; other models need one-hot, no NaN

    @property
    def handles_missing(self) -> bool:
        return self.trees


def threads_for(rows: int) -> int:
    """Threads per fit. Small data fits in milliseconds on one thread, while OpenMP threads that wait for a
    busy core (another process, parallel tests) can make each fit seconds slower."""
    return 1 if rows < 10_000 else os.cpu_count() or 1


def _boosting_space(trial: Any, task: str) -> dict[str, Any]:
    """Shared by xgboost and lightgbm: the number and size of trees, learning rate, sampling, L1/L2."""
    return {
        "n_estimators": trial.suggest_int("n_estimators", 50, 500, step=50),
        "learning_rate": trial.suggest_float("learning_rate", 0.01, 0.3, log=True),
        "subsample": trial.suggest_float("subsample", 0.5, 1.0),
        "colsample_bytree": trial.suggest_float("colsample_bytree", 0.3, 1.0),
        "reg_lambda": trial.suggest_float("reg_lambda", 1e-3, 10.0, log=True),
        "reg_alpha": trial.suggest_float("reg_alpha", 1e-3, 10.0, log=True),
    }


def _xgb_space(trial: Any, task: str) -> dict[str, Any]:
    return {
        **_boosting_space(trial, task),
        "max_depth": trial.suggest_int("max_depth", 2, 10),
        "min_child_weight": trial.suggest_float("min_child_weight", 0.5, 20.0, log=True),
    }


_BOOSTING_DEFAULTS = {"n_estimators": 100, "subsample": 1.0, "colsample_bytree": 1.0, "reg_lambda": 1.0}


def _build_xgb(task: str, hp: dict[str, Any], seed: int, threads: int) -> Any:
    import xgboost

    cls = xgboost.XGBClassifier if task == "classification" else xgboost.XGBRegressor
    return cls(**hp, tree_method="hist", n_jobs=threads, random_state=seed, verbosity=0)


def _lgbm_space(trial: Any, task: str) -> dict[str, Any]:
    return {
        **_boosting_space(trial, task),
        "num_leaves": trial.suggest_int("num_leaves", 4, 128, log=True),
        "min_child_samples": trial.suggest_int("min_child_samples", 5, 100, log=True),
    }


def _build_lgbm(task: str, hp: dict[str, Any], seed: int, threads: int) -> Any:
    try:
        import lightgbm
    except (ImportError, OSError) as exc:  # OSError: the wheel needs the system OpenMP library (libgomp)
        raise NotAvailableError(
            f"--model lightgbm needs the lightgbm package, which could not be loaded ({exc}). Install it with "
            "pip install 'lightgbm>=4,<5' (on Linux it also needs libgomp1), or pick --model xgboost."
        ) from None
    cls = lightgbm.LGBMClassifier if task == "classification" else lightgbm.LGBMRegressor
    # subsample only takes effect with bagging switched on (subsample_freq > 0).
    return cls(**hp, subsample_freq=1, n_jobs=threads, random_state=seed, verbose=-1)


def _forest_space(trial: Any, task: str) -> dict[str, Any]:
    return {
        "n_estimators": trial.suggest_int("n_estimators", 50, 400, step=50),
        "max_depth": trial.suggest_categorical("max_depth", [None, 4, 8, 16, 32]),
        "min_samples_leaf": trial.suggest_int("min_samples_leaf", 1, 20, log=True),
        "max_features": trial.suggest_categorical("max_features", ["sqrt", "log2", 0.5, 1.0]),
    }


def _forest_defaults(task: str) -> dict[str, Any]:
    features = "sqrt" if task == "classification" else 1.0
    return {"n_estimators": 100, "max_depth": None, "min_samples_leaf": 1, "max_features": features}


def _build_forest(extra: bool) -> Callable[[str, dict[str, Any], int, int], Any]:
    def build(task: str, hp: dict[str, Any], seed: int, threads: int) -> Any:
        from sklearn import ensemble

        kind = ("ExtraTrees" if extra else "RandomForest") + ("Classifier" if task == "classification" else "Regressor")
        return getattr(ensemble, kind)(**hp, n_jobs=threads, random_state=seed)

    return build


def _hgb_space(trial: Any, task: str) -> dict[str, Any]:
    return {
        "max_iter": trial.suggest_int("max_iter", 50, 500, step=50),
        "learning_rate": trial.suggest_float("learning_rate", 0.01, 0.3, log=True),
        "max_leaf_nodes": trial.suggest_int("max_leaf_nodes", 8, 128, log=True),
        "min_samples_leaf": trial.suggest_int("min_samples_leaf", 5, 100, log=True),
        "l2_regularization": trial.suggest_float("l2_regularization", 1e-4, 10.0, log=True),
    }


def _build_hgb(task: str, hp: dict[str, Any], seed: int, threads: int) -> Any:
    # The histogram variant: same method as GradientBoosting*, far faster, and it accepts missing values.
    from sklearn import ensemble

    cls = (
        ensemble.HistGradientBoostingClassifier if task == "classification" else ensemble.HistGradientBoostingRegressor
    )
    return cls(**hp, random_state=seed)


def _tree_space(trial: Any, task: str) -> dict[str, Any]:
    return {
        "max_depth": trial.suggest_categorical("max_depth", [None, 3, 5, 8, 12, 20]),
        "min_samples_leaf": trial.suggest_int("min_samples_leaf", 1, 50, log=True),
    }


def _build_tree(task: str, hp: dict[str, Any], seed: int, threads: int) -> Any:
    from sklearn import tree

    cls = tree.DecisionTreeClassifier if task == "classification" else tree.DecisionTreeRegressor
    return cls(**hp, random_state=seed)


def _build_logistic(task: str, hp: dict[str, Any], seed: int, threads: int) -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(**hp, max_iter=2000, random_state=seed)


def _build_ridge(task: str, hp: dict[str, Any], seed: int, threads: int) -> Any:
    from sklearn.linear_model import Ridge

    return Ridge(**hp, random_state=seed)


def _build_lasso(task: str, hp: dict[str, Any], seed: int, threads: int) -> Any:
    from sklearn.linear_model import Lasso

    return Lasso(**hp, max_iter=5000, random_state=seed)


def _svm_space(trial: Any, task: str) -> dict[str, Any]:
    hp = {
        "C": trial.suggest_float("C", 1e-2, 100.0, log=True),
        "kernel": trial.suggest_categorical("kernel", ["rbf", "linear"]),
    }
    if task == "regression":
        hp["epsilon"] = trial.suggest_float("epsilon", 1e-2, 1.0, log=True)
    return hp


def _build_svm(task: str, hp: dict[str, Any], seed: int, threads: int) -> Any:
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC, SVR

    if task == "classification":
        # Probabilities (for log-loss and ROC-AUC) come from a calibration fit, which replaces the
        # deprecated SVC(probability=True).
        return CalibratedClassifierCV(SVC(**hp, random_state=seed), cv=3, ensemble=False)
    # Scaling the target makes epsilon (the no-penalty band) mean the same on every dataset.
    return TransformedTargetRegressor(regressor=SVR(**hp), transformer=StandardScaler())


def _svm_defaults(task: str) -> dict[str, Any]:
    return {"C": 1.0, "kernel": "rbf", **({"epsilon": 0.1} if task == "regression" else {})}


def _knn_space(trial: Any, task: str) -> dict[str, Any]:
    return {
        "n_neighbors": trial.suggest_int("n_neighbors", 3, 50, log=True),
        "weights": trial.suggest_categorical("weights", ["uniform", "distance"]),
        "p": trial.suggest_int("p", 1, 2),
    }


def _build_knn(task: str, hp: dict[str, Any], seed: int, threads: int) -> Any:
    from sklearn import neighbors

    cls = neighbors.KNeighborsClassifier if task == "classification" else neighbors.KNeighborsRegressor
    return cls(**hp, n_jobs=threads)


def _fixed(values: dict[str, Any]) -> Callable[[str], dict[str, Any]]:
    return lambda task: dict(values)


def _log_float(name: str, low: float, high: float) -> Space:
    return lambda trial, task: {name: trial.suggest_float(name, low, high, log=True)}


_XGB_DEFAULTS = {**_BOOSTING_DEFAULTS, "learning_rate": 0.3, "reg_alpha": 1e-3, "max_depth": 6, "min_child_weight": 1}
_LGBM_DEFAULTS = {
    **_BOOSTING_DEFAULTS,
    "learning_rate": 0.1,
    "reg_alpha": 1e-3,
    "num_leaves": 31,
    "min_child_samples": 20,
}
_HGB_DEFAULTS = {
    "max_iter": 100,
    "learning_rate": 0.1,
    "max_leaf_nodes": 31,
    "min_samples_leaf": 20,
    "l2_regularization": 1e-4,
}
_KNN_DEFAULTS = {"n_neighbors": 5, "weights": "uniform", "p": 2}

SPECS: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec("xgboost", _build_xgb, _xgb_space, _fixed(_XGB_DEFAULTS), trees=True),
        ModelSpec("lightgbm", _build_lgbm, _lgbm_space, _fixed(_LGBM_DEFAULTS), trees=True),
        ModelSpec("random_forest", _build_forest(False), _forest_space, _forest_defaults, trees=True),
        ModelSpec("extra_trees", _build_forest(True), _forest_space, _forest_defaults, trees=True),
        ModelSpec("gradient_boosting", _build_hgb, _hgb_space, _fixed(_HGB_DEFAULTS), trees=True),
        ModelSpec(
            "decision_tree", _build_tree, _tree_space, _fixed({"max_depth": None, "min_samples_leaf": 1}), trees=True
        ),
        ModelSpec(
            "logistic_regression", _build_logistic, _log_float("C", 1e-3, 100.0), _fixed({"C": 1.0}), trees=False
        ),
        ModelSpec("ridge", _build_ridge, _log_float("alpha", 1e-3, 100.0), _fixed({"alpha": 1.0}), trees=False),
        ModelSpec("lasso", _build_lasso, _log_float("alpha", 1e-4, 10.0), _fixed({"alpha": 1.0}), trees=False),
        ModelSpec("svm", _build_svm, _svm_space, _svm_defaults, trees=False),
        ModelSpec("knn", _build_knn, _knn_space, _fixed(_KNN_DEFAULTS), trees=False),
    )
}


def build_estimator(spec: ModelSpec, task: str, hp: dict[str, Any], seed: int, n_targets: int, threads: int) -> Any:
    """The estimator for these hyperparameters; several targets get one copy of it per target."""
    estimator = spec.build(task, hp, seed, threads)
    if n_targets == 1:
        return estimator
    from sklearn.multioutput import MultiOutputClassifier, MultiOutputRegressor

    wrapper = MultiOutputClassifier if task == "classification" else MultiOutputRegressor
    return wrapper(estimator)


def check_available(spec: ModelSpec, task: str) -> None:
    """Build the estimator once with its defaults, so a missing optional library fails before any work."""
    spec.build(task, spec.defaults(task), 0, 1)
