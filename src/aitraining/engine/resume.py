"""Before a run: which checkpoint it resumes from, and whether the folder it writes to may be used.

Runs before any data or model is loaded, so a refused resume costs nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aitraining.engine.checkpoints import (
    checkpoints_root,
    find_latest_good,
    list_checkpoints,
    read_manifest,
    validate,
)
from aitraining.engine.fingerprint import differences
from aitraining.errors import ParamError, ProjectError

if TYPE_CHECKING:
    from aitraining.engine.project import Project
    from aitraining.params.groups import ResumeParams


def occupied_message(path: Path) -> str:
    """Why a non-empty project folder is not reused silently, and the two ways forward."""
    found = list_checkpoints(checkpoints_root(path))
    if not found:
        return (
            f"Project folder {path} already exists and is not empty; nothing was changed. "
            "Pick a new --project-name, or pass --overwrite to replace its contents."
        )
    finished = (path / "metrics.json").is_file()
    state = "a finished run" if finished else "an unfinished run"
    return (
        f"Project folder {path} holds checkpoints of {state} (newest: {found[-1].name}); nothing was changed. "
        "Add --resume-from-checkpoint auto to continue it from its newest complete checkpoint, or pass "
        "--overwrite to start over (its contents are replaced), or pick a new --project-name."
    )


def plan_resume(
    project: Project, params: ResumeParams, fingerprint: dict[str, Any], log: Callable[[str], None]
) -> Path | None:
    """The checkpoint to resume from (None: start from the beginning); refuses changed run settings."""
    wanted = params.resume_from_checkpoint
    if not wanted:
        return None
    if project.overwrite:
        raise ParamError(
            "--resume-from-checkpoint and --overwrite contradict each other: --overwrite deletes the checkpoints. "
            "Drop one of them."
        )
    if project.resumable:
        return None  # a task that resumes its own way (tabular's search) continues from its own state
    checkpoint = _chosen(project, wanted, log)
    if checkpoint is None:
        return None
    manifest = read_manifest(checkpoint)
    changed = differences(manifest.get("fingerprint", {}), fingerprint)
    if changed and not params.resume_allow_changes:
        raise ProjectError(
            f"Cannot resume from {checkpoint}: parameters that alter the run differ from the checkpoint's ("
            + "; ".join(changed)
            + "). Re-run with the checkpoint's settings, or pass --resume-allow-changes to accept the changes, "
            "or --overwrite to start over."
        )
    for line in changed:
        log(f"Resuming with a change (--resume-allow-changes): {line}.")
    log(f"Resuming from {checkpoint} (step {manifest['step']}, epoch {float(manifest['epoch']):.2f}).")
    return checkpoint


def _chosen(project: Project, wanted: str, log: Callable[[str], None]) -> Path | None:
    root = checkpoints_root(project.path)
    if wanted != "auto":
        path = Path(wanted)
        if not path.is_dir():
            raise ProjectError(f"--resume-from-checkpoint {wanted}: no such checkpoint folder.")
        reason = validate(path)
        if reason:
            raise ProjectError(
                f"--resume-from-checkpoint {wanted} cannot be used: {reason}. Use --resume-from-checkpoint auto "
                "to take the newest complete checkpoint instead."
            )
        return path
    found = find_latest_good(root, log)
    if found is not None:
        return found
    if list_checkpoints(root):
        raise ProjectError(
            f"--resume-from-checkpoint auto: no complete checkpoint in {root} (each one's problem is logged "
            "above). Pass --overwrite to start over."
        )
    if project.path.is_dir() and any(project.path.iterdir()):
        raise ProjectError(
            f"--resume-from-checkpoint auto: project folder {project.path} holds no checkpoint and no unfinished "
            "run to resume; nothing was changed. Pass --overwrite instead to replace its contents."
        )
    log("--resume-from-checkpoint auto: no checkpoint yet, starting from the beginning.")
    return None
