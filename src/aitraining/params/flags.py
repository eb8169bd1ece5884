"""Parameter name -> command-line flag, written once (no imports: `aitraining --help` stays light)."""

from __future__ import annotations


def flag_for(name: str) -> str:
    """The command-line flag of a parameter: `text_column` -> `--text-column`."""
    return "--" + name.replace("_", "-")
