"""SIGINT/SIGTERM during training: the first asks for a checkpoint and a clean stop, a second exits at once.

The handlers only set a flag; the training loop (a Trainer callback, or our own trainers' loops) sees it
at the next safe point, saves a full resumable checkpoint and raises RunInterrupted, whose message
gives the exact command to resume.
"""

from __future__ import annotations

import os
import shlex
import signal
import sys
import threading
from typing import Any

from aitraining.engine.logs import get_logger
from aitraining.errors import RunInterrupted

HANDLED = (signal.SIGINT, signal.SIGTERM)
_command: list[str] = []


def remember_command(argv: list[str]) -> None:
    """The CLI records its arguments so the interruption message can print the resume command."""
    _command[:] = list(argv)


def resume_command(argv: list[str] | None = None) -> str:
    """The same command with `--resume-from-checkpoint auto` (and without --overwrite, which would wipe)."""
    args, rest = [], list(_command if argv is None else argv)
    while rest:
        arg = rest.pop(0)
        if arg == "--overwrite":
            continue
        if arg == "--resume-from-checkpoint":
            rest[:1] = []
            continue
        if arg.startswith("--resume-from-checkpoint="):
            continue
        args.append(arg)
    return shlex.join(["aitraining", *args, "--resume-from-checkpoint", "auto"])


class Interruption:
    """Catches the signals while installed; `requested` holds the first signal's name."""

    def __init__(self) -> None:
        self.requested: str | None = None
        self.exit_code = 0
        self._previous: dict[int, Any] = {}

    def install(self) -> Interruption:
        if threading.current_thread() is threading.main_thread():  # signals reach the main thread only
            for sig in HANDLED:
                self._previous[sig] = signal.signal(sig, self._handle)
        return self

    def restore(self) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        self._previous.clear()

    def _handle(self, signum: int, _frame: Any) -> None:
        name = signal.Signals(signum).name
        if self.requested is not None:
            sys.stderr.write(f"\n{name} received again: exiting now, without saving.\n")
            sys.stderr.flush()
            os._exit(128 + signum)
        self.requested, self.exit_code = name, 128 + signum
        get_logger().warning(
            f"{name} received: saving a resumable checkpoint at the end of this step, then stopping. "
            f"Send it again to exit at once without saving."
        )

    def stop(self, checkpoint: Any, step: int) -> RunInterrupted:
        """The error to raise once the checkpoint is saved."""
        return RunInterrupted(
            f"Training stopped by {self.requested} at step {step}; a full resumable checkpoint was saved to "
            f"{checkpoint}. Resume with:\n  {resume_command()}",
            self.exit_code,
        )
