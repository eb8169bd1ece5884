"""`aitraining seq2seq`."""
