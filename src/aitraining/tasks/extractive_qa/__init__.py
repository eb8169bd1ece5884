"""`aitraining extractive-qa`."""
