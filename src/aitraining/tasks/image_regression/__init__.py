"""`aitraining image-regression`."""
