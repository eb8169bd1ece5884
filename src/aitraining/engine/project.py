"""The project folder: the one place a run writes to, never overwritten by surprise."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aitraining.errors import ProjectError

PARAMS_FILE = "training_params.json"
METRICS_FILE = "metrics.json"
LOG_FILE = "training.log"
CARD_FILE = "README.md"


@dataclass
class Project:
    path: Path
    overwrite: bool = False

    def check(self) -> None:
        """Fail before any work when the folder holds something and --overwrite was not given."""
        if self.path.exists() and not self.path.is_dir():
            raise ProjectError(f"--project-name {self.path} is an existing file, not a folder. Pick another name.")
        if self._non_empty() and not self.overwrite:
            raise ProjectError(
                f"Project folder {self.path} already exists and is not empty; nothing was changed. "
                "Pick a new --project-name, or pass --overwrite to replace its contents."
            )

    def claim(self) -> None:
        """Empty the folder (only with --overwrite) and create it; called once inputs are validated."""
        if self._non_empty():
            if not self.overwrite:
                self.check()
            shutil.rmtree(self.path)
        self.path.mkdir(parents=True, exist_ok=True)

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
