"""`aitraining token-classification`."""
