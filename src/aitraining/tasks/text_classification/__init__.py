"""`aitraining text-classification`."""
