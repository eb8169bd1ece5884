"""`aitraining sentence-transformers`."""
