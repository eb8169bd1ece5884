"""What identifies a run for resuming: its resolved parameters, its data, its number of processes and the
params' own extra parts (`CoreParams.fingerprint_parts`, e.g. the distillation teacher's files).

A checkpoint's manifest stores this fingerprint; a resume compares it with the new run's and refuses
(naming each difference) when something that alters the run has changed.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aitraining.params.groups import CoreParams

# Parameters that may change between the interrupted run and its resume: where the outputs go, how
# often they are logged or saved, and the resume switches themselves. Every other one alters the run.
RESUME_MAY_CHANGE = frozenset(
    {
        "project_name",
        "push_to_hub",
        "username",
        "repo_id",
        "log",
        "logging_steps",
        "save_strategy",
        "save_steps",
        "save_total_limit",
        "resume_from_checkpoint",
        "resume_allow_changes",
        "max_bad_steps",
        "disable_gradient_checkpointing",
        "num_trials",
        "time_limit",
    }
)


def world_size() -> int:
    """Processes taking part (accelerate/torchrun set WORLD_SIZE; one otherwise)."""
    return int(os.environ.get("WORLD_SIZE", "1") or 1)


def data_fingerprint(data_path: str | None) -> str:
    """A digest of every file under a local data path (names, sizes, contents); a Hub id stands for itself."""
    if not data_path:
        return "none"
    path = Path(data_path)
    if not path.exists():
        return f"hub:{data_path}"
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    digest = hashlib.sha256()
    for file in files:
        name = file.relative_to(path) if path.is_dir() else Path(file.name)
        if any(part.startswith(".") for part in name.parts):
            continue  # caches and hidden files do not change the data
        digest.update(f"{name}:{file.stat().st_size}:".encode())
        with file.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return "sha256:" + digest.hexdigest()


def run_fingerprint(params: CoreParams, task: str, trainer: str | None) -> dict[str, Any]:
    return {
        "task": task,
        "trainer": trainer,
        "params": params.public_dict(),
        "data": data_fingerprint(params.data_path),
        "processes": world_size(),
        "parts": params.fingerprint_parts(),
    }


def differences(stored: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """One readable line per difference that alters the run."""
    lines = []
    for key, label in (("task", "command"), ("trainer", "--trainer"), ("processes", "number of processes")):
        if stored.get(key) != current.get(key):
            lines.append(f"{label} was {stored.get(key)!r}, now {current.get(key)!r}")
    if stored.get("data") != current.get("data"):
        lines.append("the data files' contents changed")
    lines += part_differences(stored.get("parts", {}), current.get("parts", {}))
    old, new = stored.get("params", {}), current.get("params", {})
    for name in sorted(set(old) | set(new)):
        if name in RESUME_MAY_CHANGE or old.get(name) == new.get(name):
            continue
        flag = "--" + name.replace("_", "-")
        lines.append(f"{flag} was {old.get(name, '(not set)')!r}, now {new.get(name, '(not set)')!r}")
    return lines


def part_differences(stored: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """'<label> changed: <key> was X, now Y' per extra part that differs (dict parts: only the keys that differ)."""
    lines = []
    for label in sorted(set(stored) | set(current)):
        old, new = stored.get(label, "(not set)"), current.get(label, "(not set)")
        if old == new:
            continue
        if isinstance(old, dict) and isinstance(new, dict):
            keys = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
            detail = "; ".join(f"{k} was {old.get(k, '(not set)')!r}, now {new.get(k, '(not set)')!r}" for k in keys)
        else:
            detail = f"was {old!r}, now {new!r}"
        lines.append(f"{label} changed: {detail}")
    return lines
