"""Hugging Face Hub datasets: recognise an id, fail fast when the hub cannot be reached, load the splits."""

from __future__ import annotations

import os
import re
import socket
import threading
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from aitraining.data.readers import SUFFIXES
from aitraining.errors import DataError

if TYPE_CHECKING:
    import datasets

_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*$")
_TRUE = {"1", "on", "yes", "true"}
PROBE_TIMEOUT_S = 3.0


def looks_like_hub_id(text: str) -> bool:
    """True for `owner/name` strings that do not look like a local file path."""
    return bool(_HUB_ID.match(text)) and not text.lower().endswith(SUFFIXES)


def _offline_by_env() -> bool:
    return any(os.environ.get(name, "").strip().lower() in _TRUE for name in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE"))


def _probe(url: str) -> str | None:
    """Try a TCP connection to the hub endpoint; return why it failed, or None when it is reachable."""
    parsed = urlparse(url)
    host = parsed.hostname or ""
    port = parsed.port or (80 if parsed.scheme == "http" else 443)
    outcome: list[str | None] = []

    def attempt() -> None:
        try:
            with socket.create_connection((host, port), timeout=PROBE_TIMEOUT_S):
                outcome.append(None)
        except OSError as exc:
            outcome.append(str(exc) or type(exc).__name__)

    worker = threading.Thread(target=attempt, daemon=True)  # name lookups ignore socket timeouts
    worker.start()
    worker.join(PROBE_TIMEOUT_S + 0.5)
    if not outcome:
        return f"no answer from {host} within {PROBE_TIMEOUT_S:g} s"
    return outcome[0]


def _unreachable(repo_id: str, reason: str) -> DataError:
    folder = repo_id.split("/")[-1]
    return DataError(
        f"Cannot load hub dataset '{repo_id}': the Hugging Face Hub cannot be reached ({reason}). "
        "Download the data on a machine with internet access, for example with "
        f"`hf download {repo_id} --repo-type dataset --local-dir {folder}`, copy it here and pass the local "
        f"folder or file as the data path. If '{repo_id}' was meant to be a local path, no file or folder "
        "with that name exists: check the spelling."
    )


def _check_reachable(repo_id: str) -> bool:
    """Raise when the hub is surely unreachable; return True when only the local hub cache may be used."""
    import datasets

    if _offline_by_env() or datasets.config.HF_HUB_OFFLINE:
        if datasets.config.HF_HUB_OFFLINE:
            return True  # datasets itself is offline: it reads its cache and never touches the network
        raise _unreachable(repo_id, "offline mode is on: HF_HUB_OFFLINE=1")
    endpoint = os.environ.get("HF_ENDPOINT") or "https://huggingface.co"
    reason = _probe(endpoint)
    if reason is not None:
        raise _unreachable(repo_id, f"{endpoint}: {reason}")
    return False


def load_hub(repo_id: str, config: str | None) -> datasets.DatasetDict:
    """Load every split of a hub dataset (one config), turning failures into `DataError`."""
    import datasets

    cache_only = _check_reachable(repo_id)
    try:
        loaded = datasets.load_dataset(repo_id, config)
    except datasets.exceptions.DatasetNotFoundError as exc:
        raise DataError(
            f"Hub dataset '{repo_id}' was not found, or it is private or gated ({exc}). Check the id; for "
            "a private or gated dataset log in with `hf auth login` after accepting its terms."
        ) from exc
    except ConnectionError as exc:
        if cache_only:
            raise _unreachable(
                repo_id, "offline mode is on (HF_HUB_OFFLINE=1) and the dataset is not in its local cache"
            ) from exc
        raise _unreachable(repo_id, str(exc)) from exc
    except ValueError as exc:
        hint = ""
        if "config" in str(exc).lower():
            hint = " Choose a config by writing the split as <config>:<split>, such as --train-split en:train."
        raise DataError(f"Cannot load hub dataset '{repo_id}': {exc}.{hint}") from exc
    except Exception as exc:  # the hub and the dataset scripts raise many kinds of errors
        raise DataError(
            f"Cannot load hub dataset '{repo_id}' ({type(exc).__name__}: {exc}). Check the id and the "
            "config, or download the data and pass a local path."
        ) from exc
    if not isinstance(loaded, datasets.DatasetDict):
        raise DataError(f"Hub dataset '{repo_id}' did not load as a set of splits. Download it and pass a local path.")
    return loaded
