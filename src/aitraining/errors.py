"""User-facing errors: one readable paragraph, a non-zero exit, never a traceback."""

from __future__ import annotations


class AitrainingError(Exception):
    """An error caused by the user's input; the CLI prints its message and exits with `exit_code`."""

    exit_code = 2


class ParamError(AitrainingError):
    """A parameter is unknown, invalid or does not fit the chosen command/trainer."""


class DataError(AitrainingError):
    """The dataset is missing, malformed or lacks a needed column."""


class ProjectError(AitrainingError):
    """The project (output) folder cannot be used as asked."""


class NotAvailableError(AitrainingError):
    """A command, backend or feature is declared by the spec but not available in this version/machine."""

    exit_code = 3


class RunInterrupted(AitrainingError):
    """SIGINT/SIGTERM stopped training after a resumable checkpoint was saved; exits 128 + the signal."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class DivergenceError(AitrainingError):
    """The loss or gradient norm stayed NaN/inf for --max-bad-steps consecutive steps."""

    exit_code = 4
