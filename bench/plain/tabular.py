"""Plain scikit-learn + xgboost + optuna search with the budget of `aitraining tabular --model xgboost`.

Same trials (the first is xgboost's defaults), same search space and TPE seed, the same preprocessing
(median imputer + standard scaler on numbers), 5-fold stratified cross-validation scored by log-loss,
then the best pipeline refitted on all rows and saved with joblib.
"""

from __future__ import annotations

from _phases import Phases, load_config

phases = Phases()
config = load_config()
settings = config["settings"]

import os  # noqa: E402
from pathlib import Path  # noqa: E402

import joblib  # noqa: E402
import numpy as np  # noqa: E402
import optuna  # noqa: E402
import pandas as pd  # noqa: E402
import xgboost  # noqa: E402
from sklearn.compose import ColumnTransformer  # noqa: E402
from sklearn.impute import SimpleImputer  # noqa: E402
from sklearn.metrics import log_loss  # noqa: E402
from sklearn.model_selection import StratifiedKFold  # noqa: E402
from sklearn.pipeline import Pipeline, make_pipeline  # noqa: E402
from sklearn.preprocessing import LabelEncoder, StandardScaler  # noqa: E402

frame = pd.read_csv(Path(config["data"]) / "train.csv")
y = LabelEncoder().fit_transform(frame.pop("target"))
numbers = list(frame.columns)
threads = 1 if len(frame) < 10_000 else os.cpu_count() or 1
seed = settings["seed"]
folds = list(StratifiedKFold(5, shuffle=True, random_state=seed).split(frame, y))
DEFAULTS = {"n_estimators": 100, "subsample": 1.0, "colsample_bytree": 1.0, "reg_lambda": 1.0,
            "learning_rate": 0.3, "reg_alpha": 1e-3, "max_depth": 6, "min_child_weight": 1}  # fmt: skip


def pipeline(hp: dict) -> Pipeline:
    numeric = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
    model = xgboost.XGBClassifier(**hp, tree_method="hist", n_jobs=threads, random_state=seed, verbosity=0)
    return Pipeline([("preprocess", ColumnTransformer([("numerical", numeric, numbers)])), ("model", model)])


def objective(trial: optuna.Trial) -> float:
    hp = {
        "n_estimators": trial.suggest_int("n_estimators", 50, 500, step=50),
        "learning_rate": trial.suggest_float("learning_rate", 0.01, 0.3, log=True),
        "subsample": trial.suggest_float("subsample", 0.5, 1.0),
        "colsample_bytree": trial.suggest_float("colsample_bytree", 0.3, 1.0),
        "reg_lambda": trial.suggest_float("reg_lambda", 1e-3, 10.0, log=True),
        "reg_alpha": trial.suggest_float("reg_alpha", 1e-3, 10.0, log=True),
        "max_depth": trial.suggest_int("max_depth", 2, 10),
        "min_child_weight": trial.suggest_float("min_child_weight", 0.5, 20.0, log=True),
    }
    out_of_fold = np.zeros((len(y), len(np.unique(y))))
    for train_rows, test_rows in folds:
        model = pipeline(hp).fit(frame.iloc[train_rows], y[train_rows])
        out_of_fold[test_rows] = model.predict_proba(frame.iloc[test_rows])
    return log_loss(y, out_of_fold)


optuna.logging.set_verbosity(optuna.logging.WARNING)
with phases.phase("train"):
    study = optuna.create_study(direction="minimize", sampler=optuna.samplers.TPESampler(seed=seed))
    study.enqueue_trial(DEFAULTS)
    study.optimize(objective, n_trials=settings["num_trials"])
    best = pipeline({**DEFAULTS, **study.best_params}).fit(frame, y)
joblib.dump(best, Path(config["out"]) / "pipeline.joblib")
phases.extra["units"] = len(y) * settings["num_trials"] * len(folds)
phases.extra["eval"] = {"log_loss": study.best_value}
phases.write(config["out"])
