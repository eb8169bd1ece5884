"""`aitraining object-detection`."""
