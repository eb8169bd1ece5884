"""Safe checkpoints: written into a staging folder, given a manifest, then renamed into place.

A checkpoint folder `checkpoint-<step>` under the project's `checkpoints/` counts as complete only when
its manifest is there and every file it lists has the recorded size and checksum. A process killed
mid-save leaves at most a staging folder, which is never read; a checkpoint damaged later (a truncated
file) is found by `validate` and skipped, with the reason logged.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

CHECKPOINTS_DIR = "checkpoints"
PREFIX = "checkpoint-"
MANIFEST = "aitraining-manifest.json"
STAGING = ".staging"
MANIFEST_VERSION = 1
# Files up to this size are hashed whole; larger ones (multi-GB weights) by size plus their first
# and last SAMPLE bytes, so saving stays fast while truncation and most damage are still caught.
FULL_HASH_LIMIT = 256 * 1024 * 1024
SAMPLE = 4 * 1024 * 1024
_STEP = re.compile(rf"^{PREFIX}(\d+)$")


def checkpoints_root(project: Path) -> Path:
    return Path(project) / CHECKPOINTS_DIR


def step_of(folder: Path) -> int | None:
    match = _STEP.match(folder.name)
    return int(match.group(1)) if match else None


def list_checkpoints(root: Path) -> list[Path]:
    """Every `checkpoint-<step>` folder under root, oldest step first (complete or not)."""
    if not root.is_dir():
        return []
    found = [p for p in root.iterdir() if p.is_dir() and step_of(p) is not None]
    return sorted(found, key=lambda p: step_of(p) or 0)


def file_digest(path: Path) -> str:
    size = path.stat().st_size
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        if size <= FULL_HASH_LIMIT:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
            return "sha256:" + digest.hexdigest()
        digest.update(handle.read(SAMPLE))
        handle.seek(size - SAMPLE)
        digest.update(handle.read(SAMPLE))
    return "sha256-ends:" + digest.hexdigest()


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST)


def library_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for name in ("aitraining", "torch", "transformers", "trl", "peft", "accelerate", "datasets"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            continue
    return found


def write_manifest(folder: Path, step: int, epoch: float, fingerprint: dict[str, Any]) -> dict[str, Any]:
    files = {str(p.relative_to(folder)): {"size": p.stat().st_size, "digest": file_digest(p)} for p in _files(folder)}
    manifest = {
        "manifest_version": MANIFEST_VERSION,
        "step": step,
        "epoch": epoch,
        "saved_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "fingerprint": fingerprint,
        "versions": library_versions(),
        "files": files,
    }
    _write_synced(folder / MANIFEST, json.dumps(manifest, indent=2, default=str) + "\n")
    return manifest


def _write_synced(path: Path, text: str) -> None:
    with path.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def _sync_tree(folder: Path) -> None:
    """Flush every file to disk before the rename makes the checkpoint visible."""
    for path in _files(folder):
        with path.open("rb") as handle:
            os.fsync(handle.fileno())


def fresh_staging(root: Path) -> Path:
    """An empty staging folder; whatever an interrupted save left there is discarded."""
    staging = root / STAGING
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    return staging


def commit(staged: Path, root: Path, step: int, epoch: float, fingerprint: dict[str, Any]) -> Path:
    """Manifest, flush, then one rename: the checkpoint appears complete or not at all."""
    write_manifest(staged, step, epoch, fingerprint)
    _sync_tree(staged)
    final = root / f"{PREFIX}{step}"
    if final.exists():  # the same step saved again (an interruption right after a scheduled save)
        shutil.rmtree(final)
    os.replace(staged, final)
    shutil.rmtree(root / STAGING, ignore_errors=True)
    return final


def read_manifest(folder: Path) -> dict[str, Any]:
    return json.loads((folder / MANIFEST).read_text())


def validate(folder: Path) -> str | None:
    """None when the checkpoint is complete and intact, else why it cannot be used."""
    if not (folder / MANIFEST).is_file():
        return "it has no manifest (its save did not finish)"
    try:
        manifest = read_manifest(folder)
        files = manifest["files"]
    except (ValueError, KeyError, TypeError):
        return f"its manifest {MANIFEST} is unreadable"
    for name, entry in files.items():
        path = folder / name
        if not path.is_file():
            return f"{name} is missing"
        if path.stat().st_size != entry["size"]:
            return f"{name} has {path.stat().st_size} bytes, the manifest says {entry['size']} (truncated or changed)"
        if file_digest(path) != entry["digest"]:
            return f"{name} does not match its checksum (damaged or changed)"
    return None


def find_latest_good(root: Path, log: Callable[[str], None]) -> Path | None:
    """The newest complete checkpoint; each newer broken one is logged with its reason and skipped."""
    for folder in reversed(list_checkpoints(root)):
        reason = validate(folder)
        if reason is None:
            return folder
        log(f"Skipping checkpoint {folder}: {reason}.")
    return None


def rotate(root: Path, limit: int | None, keep: Path | None = None) -> list[Path]:
    """Delete the oldest complete checkpoints beyond `limit`. Never deleted: the newest complete one,
    `keep` (the best model's), and any folder that is not complete (kept for inspection)."""
    if not limit or limit <= 0:
        return []
    good = [p for p in list_checkpoints(root) if (p / MANIFEST).is_file()]
    protected = {good[-1].resolve()} if good else set()
    if keep is not None:
        protected.add(Path(keep).resolve())
    allowed = max(limit, len(protected))
    removed: list[Path] = []
    for folder in good:
        if len(good) - len(removed) <= allowed:
            break
        if folder.resolve() not in protected:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed
