"""Run one side of a case as a child process and measure it: wall time, peak memory, phases, units.

Peak memory is the child's maximum resident set size from `os.wait4` (this child only, unlike
RUSAGE_CHILDREN, which keeps the maximum over every child the suite has waited for).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
PLAIN = Path(__file__).resolve().parent / "plain"


class BenchError(RuntimeError):
    """A side of a case failed; the message carries the tail of its log."""


def child_env(datasets_cache: Path | None = None) -> dict[str, str]:
    """Offline, this checkout's sources first, the same for both sides. A fresh `datasets_cache` per run
    makes every run a first run: no side reuses the Arrow files or the tokenised data of an earlier repeat
    (ours keys its tokenisation cache on all parameters, --project-name included, so it would miss where
    the plain script hits)."""
    env = dict(os.environ, HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1", TOKENIZERS_PARALLELISM="false")
    if datasets_cache is not None:
        env["HF_DATASETS_CACHE"] = str(datasets_cache)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "src"), *filter(None, [os.environ.get("PYTHONPATH")])])
    return env


@dataclass
class Measured:
    wall_s: float
    peak_rss_mb: float


def run_child(argv: list[str], log: Path, datasets_cache: Path | None = None) -> Measured:
    """Run `argv`, wait for it alone, and fail with the log's tail when it exits non-zero."""
    start = time.perf_counter()
    with log.open("w") as out:
        env = child_env(datasets_cache)
        child = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=REPO)
        _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-25:])
        raise BenchError(f"{' '.join(argv[:4])} ... exited with {child.returncode}; log {log}:\n{tail}")
    return Measured(round(wall, 3), round(usage.ru_maxrss / 1024, 1))  # Linux reports kilobytes


def run_ours(cli: list[str], project: Path) -> dict[str, Any]:
    argv = [sys.executable, "-m", "aitraining", *cli, "--project-name", str(project)]
    measured = run_child(argv, project.with_suffix(".log"), project.with_suffix(".cache"))
    metrics = json.loads((project / "metrics.json").read_text())
    if "timings" not in metrics:
        raise BenchError(f"{project}/metrics.json has no 'timings' record")
    return {"wall_s": measured.wall_s, "peak_rss_mb": measured.peak_rss_mb, **metrics["timings"]}


def run_plain(script: str, config: dict[str, Any], out: Path) -> dict[str, Any]:
    out.mkdir(parents=True, exist_ok=True)
    config_file = out / "bench_config.json"
    config_file.write_text(json.dumps({**config, "out": str(out)}))
    argv = [sys.executable, str(PLAIN / script), str(config_file)]
    measured = run_child(argv, out.with_suffix(".log"), out.with_suffix(".cache"))
    timings = json.loads((out / "timings.json").read_text())
    return {"wall_s": measured.wall_s, "peak_rss_mb": measured.peak_rss_mb, **timings}


def help_seconds(command: list[str], repeats: int, log_dir: Path) -> float:
    """Median wall time of `python -m aitraining <command> --help` (imports included)."""
    times = [
        run_child([sys.executable, "-m", "aitraining", *command, "--help"], log_dir / "help.log").wall_s
        for _ in range(repeats)
    ]
    return round(statistics.median(times), 3)


def median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Per numeric field, the median over the repeats (the other fields from the first run)."""
    merged = dict(runs[0])
    for key, value in runs[0].items():
        if isinstance(value, int | float) and not isinstance(value, bool):
            merged[key] = round(statistics.median(r[key] for r in runs), 3)
    loops = [r["train_s"] for r in runs]
    # How much the training loop moved between repeats of the same side: a slowdown below it is noise.
    merged["train_spread"] = round((max(loops) - min(loops)) / merged["train_s"], 3) if merged["train_s"] else 0.0
    return merged
