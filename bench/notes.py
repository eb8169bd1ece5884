"""Why a case of ours is more than 10% slower than its plain script on the training loop, when the cause is
known and is a feature rather than overhead to remove (found by profiling; bench/README.md has the details)."""

from __future__ import annotations

SLOWER_NOTES: dict[str, str] = {
    "tabular": (
        "Ours keeps the optuna study in SQLite inside the project folder so an interrupted search resumes "
        "(every trial's parameters, state and scores are committed to disk), and scores every trial with the "
        "full metric set written to trials.csv (accuracy, F1, precision, recall, ROC AUC, log-loss); the plain "
        "script keeps the study in memory and computes log-loss only. Same trials, same fits, same best score. "
        "What would close it: batch the study writes (optuna's JournalStorage, or an in-memory study saved "
        "after each trial)."
    ),
}
