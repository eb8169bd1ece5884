"""The project folder: the one place a run writes to, never overwritten by surprise."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aitraining.errors import ProjectError

PARAMS_FILE = "training_params.json"
METRICS_FILE = "metrics.json"
LOG_FILE = "training.log"
CARD_FILE = "README.md"
# Left by a task that can resume (tabular's search) while its run is unfinished; it names the task.
RESUME_MARKER = ".unfinished"


@dataclass
class Project:
    path: Path
    overwrite: bool = False
    task: str = ""  # the command writing here; only its own unfinished runs are resumable
    replace_on_claim: bool = False  # set by check(): the folder held something and --overwrite was given
    resume: bool = False  # --resume-from-checkpoint was given: existing contents are continued, not refused

    def check(self) -> None:
        """Fail before any work when the folder holds something and --overwrite was not given."""
        if self.path.exists() and not self.path.is_dir():
            raise ProjectError(f"--project-name {self.path} is an existing file, not a folder. Pick another name.")
        check_writable(self.path)
        if self._non_empty() and not self.overwrite and not self.resumable and not self.resume:
            from aitraining.engine.resume import occupied_message

            raise ProjectError(occupied_message(self.path))
        # an unfinished resumable run is kept (the task continues it) unless --overwrite asks to start over
        self.replace_on_claim = self._non_empty() and self.overwrite

    def claim(self) -> None:
        """Create the folder, emptying it first only when check() saw old contents and --overwrite was
        given; called once inputs are validated, so a failed run never removes earlier outputs. Files that
        appear in between (a Trainer creating its checkpoint folder) are not mistaken for old contents."""
        if self.replace_on_claim:
            shutil.rmtree(self.path)
            self.replace_on_claim = False
        self.path.mkdir(parents=True, exist_ok=True)

    @property
    def resumable(self) -> bool:
        """An unfinished run of this same task: re-running it continues instead of needing --overwrite."""
        return (self.path / RESUME_MARKER).is_file() and self.unfinished_task() == self.task

    def unfinished_task(self) -> str | None:
        marker = self.path / RESUME_MARKER
        return marker.read_text().strip() if marker.is_file() else None

    def mark_unfinished(self, task: str) -> None:
        (self.path / RESUME_MARKER).write_text(task + "\n")

    def mark_finished(self) -> None:
        (self.path / RESUME_MARKER).unlink(missing_ok=True)

    def _non_empty(self) -> bool:
        return self.path.is_dir() and any(self.path.iterdir())

    def write_json(self, name: str, data: Any) -> Path:
        target = self.path / name
        target.write_text(json.dumps(data, indent=2, default=str) + "\n")
        return target

    def write_params(self, public_params: dict[str, Any]) -> Path:
        return self.write_json(PARAMS_FILE, public_params)

    def write_metrics(self, metrics: dict[str, Any]) -> Path:
        return self.write_json(METRICS_FILE, metrics)


def check_writable(path: Path) -> None:
    """Fail before any work when the project folder could not be created or written."""
    existing = path.absolute()
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise ProjectError(
            f"--project-name {path} cannot be created: {existing} is an existing file, not a folder. "
            "Pick a --project-name whose parent folders are folders."
        )
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ProjectError(
            f"--project-name {path} cannot be written: no write permission on {existing}. Pick a --project-name "
            "in a folder you can write to, or change that folder's permissions."
        )
