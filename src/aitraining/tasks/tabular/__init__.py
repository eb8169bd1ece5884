"""`aitraining tabular`: scikit-learn pipelines with an Optuna search, for classification and regression."""
