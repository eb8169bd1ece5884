"""One trial: its config file, a fresh `python -m aitraining --config` process, and what it left behind.

A fresh process per trial is what keeps memory at trial 6 equal to trial 1: nothing (CUDA caches, leaked
references in upstream libraries) survives a trial. Its output is streamed with a '[trial N]' prefix; its
peak resident memory is read from the kernel's accounting of that child (os.wait4).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aitraining
from aitraining.params.groups import SWEEP

if TYPE_CHECKING:
    from aitraining.config import Resolved

TRIALS_DIR = "trials"
PRUNED_FILE = "sweep_pruned.json"  # written by the trial's pruning callback (features.sweep.report)
ENV_TRIAL = "AITRAINING_SWEEP_TRIAL"  # JSON for the child: storage, study, trial id, metric, folder


@dataclass
class TrialRun:
    exit_code: int
    seconds: float
    peak_rss_mb: float
    last_lines: list[str]
    pruned: dict[str, Any] | None


def trial_dir(project: Path, number: int) -> Path:
    return project / TRIALS_DIR / f"trial-{number:03d}"


def trial_config(project: Path, number: int) -> Path:
    """Next to the trial's folder, which the trial itself creates (an occupied folder would be refused)."""
    return project / TRIALS_DIR / f"trial-{number:03d}.yml"


def config_values(resolved: Resolved, values: dict[str, Any], project_name: str) -> dict[str, Any]:
    """What the user set (flags and config file, secrets left out), the trial's values, and its own folder;
    the sweep's own settings are left out so the trial trains once."""
    metas = type(resolved.params).param_metas()
    public = resolved.params.public_dict()
    chosen = {
        name: public[name]
        for name, source in resolved.sources.items()
        if source != "default" and name in public and metas[name].group != SWEEP
    }
    return {**chosen, **values, "project_name": project_name}


def write_config(resolved: Resolved, values: dict[str, Any], target: Path, project_name: str) -> Path:
    import yaml

    config = {"task": resolved.task.name, "params": config_values(resolved, values, project_name)}
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True))
    return target


def child_env(report: dict[str, Any], token: str | None = None) -> dict[str, str]:
    """The sweep's environment, plus where the trial reports to; a --token goes by HF_TOKEN (never on disk)."""
    env = dict(os.environ)
    if token and not env.get("HF_TOKEN"):
        env["HF_TOKEN"] = token
    package_root = str(Path(aitraining.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH", "")) if p)
    env[ENV_TRIAL] = json.dumps(report)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _die_with_parent() -> None:
    """Linux: the trial gets SIGTERM (and saves a checkpoint) when the sweep process dies."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def run_trial(
    config: Path, folder: Path, number: int, report: dict[str, Any], echo: Any, token: str | None = None
) -> TrialRun:
    """Run `python -m aitraining --config <config>`; `echo(line)` shows each output line."""
    start = time.monotonic()
    command = [sys.executable, "-m", "aitraining", "--config", str(config)]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
        env=child_env(report, token),
        preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
    )
    last: list[str] = []
    assert process.stdout is not None
    for line in process.stdout:
        echo(f"[trial {number}] {line.rstrip()}")
        last = [*last[-19:], line.rstrip()]
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    peak_mb = usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)
    pruned_file = folder / PRUNED_FILE
    pruned = json.loads(pruned_file.read_text()) if pruned_file.is_file() else None
    return TrialRun(process.returncode, time.monotonic() - start, round(peak_mb, 1), last, pruned)
