"""Data loading shared by every training command (see `aitraining.data.loading`).

Importing this package stays cheap: `datasets`, `pandas` and `pyarrow` are imported inside functions.
"""
