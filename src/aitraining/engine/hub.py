"""Pushing a finished project to the Hugging Face Hub: model artefacts and card only."""

from __future__ import annotations

import os
from pathlib import Path

from aitraining.errors import AitrainingError, ParamError
from aitraining.params.groups import CoreParams, HubParams

# Only these leave the machine; logs and checkpoints stay local, secrets are never in any of them.
_ARTEFACTS = ["*.safetensors", "*.json", "*.txt", "*.model", "*.jinja", "*.joblib", "*.png"]
PUSH_PATTERNS = [*_ARTEFACTS, "README.md", *(f"*/{p}" for p in _ARTEFACTS), "*/README.md"]
NEVER_PUSH = ["checkpoints/**", "logs/**", "training.log", "*.log"]


class HubError(AitrainingError):
    exit_code = 4


def hub_target(params: CoreParams) -> tuple[str, str] | None:
    """(repo_id, token) when pushing is asked for; checked before training so it cannot fail late."""
    if not isinstance(params, HubParams) or not params.push_to_hub:
        return None
    if os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes", "on"):
        raise ParamError(
            "--push-to-hub cannot work while HF_HUB_OFFLINE is set: unset it (and make sure the Hub is reachable), "
            "or train without --push-to-hub and push the project folder later."
        )
    token = params.token or os.environ.get("HF_TOKEN")
    if not token:
        raise ParamError("--push-to-hub needs a token: pass --token or set the HF_TOKEN environment variable.")
    repo_id = params.repo_id
    if not repo_id:
        if not params.username:
            raise ParamError("--push-to-hub needs --repo-id, or --username to push to <username>/<project name>.")
        repo_id = f"{params.username}/{Path(params.project_name).name}"
    return repo_id, token


def files_to_push(project: Path) -> list[Path]:
    """The files `push` would upload (used by tests and printed before uploading)."""
    from fnmatch import fnmatch

    chosen = []
    for path in sorted(p for p in project.rglob("*") if p.is_file()):
        rel = path.relative_to(project).as_posix()
        if any(fnmatch(rel, pat) for pat in NEVER_PUSH):
            continue
        if any(fnmatch(rel, pat) for pat in PUSH_PATTERNS):
            chosen.append(path)
    return chosen


def push(project: Path, repo_id: str, token: str) -> str:
    from huggingface_hub import HfApi

    api = HfApi(token=token)
    try:
        api.create_repo(repo_id, exist_ok=True, private=True)
        api.upload_folder(
            folder_path=str(project),
            repo_id=repo_id,
            allow_patterns=PUSH_PATTERNS,
            ignore_patterns=NEVER_PUSH,
        )
    except Exception as exc:  # any hub/network failure becomes one clear message
        raise HubError(
            f"Could not push {project} to the Hub repository {repo_id}: {type(exc).__name__}: "
            f"{str(exc).splitlines()[0] if str(exc) else ''}. The trained model is saved locally in {project}; "
            "check the network and the token, then push it again."
        ) from None
    return f"https://huggingface.co/{repo_id}"
