"""`aitraining text-regression`."""
