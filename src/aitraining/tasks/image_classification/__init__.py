"""`aitraining image-classification`."""
