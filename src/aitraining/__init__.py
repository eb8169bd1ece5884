"""aitraining: train models with one command."""

__version__ = "0.1.0"
