"""Run the cases: both sides back to back (the order alternating between repeats), medians, ratios."""

from __future__ import annotations

import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench import mfu
from bench.cases import Case
from bench.fixtures import Fixtures
from bench.harness import child_env, help_seconds, median_run, run_ours, run_plain
from bench.notes import SLOWER_NOTES

SLOWER = 1.10  # ours may be at most 10% slower on the training loop without a recorded reason
PHASES = ("wall_s", "startup_s", "preprocess_s", "train_s", "peak_rss_mb")


def run_case(case: Case, fixtures: Fixtures, work: Path, repeats: int) -> dict[str, Any]:
    if case.gpu_only and not mfu.has_gpu():
        return {"case": case.name, "skipped": "needs a CUDA GPU (MFU of a 0.5B-class SFT); this machine has none"}
    settings = case.all_settings
    model = fixtures.get(case.inputs[0]) if case.inputs[0] else Path("-")
    data = fixtures.get(case.inputs[1])
    cli = case.ours(model, data, settings)
    plain_config = {"model": str(model), "data": str(data), "settings": settings}
    ours_runs, plain_runs = [], []
    for repeat in range(repeats):
        sides = [("ours", ours_runs), ("plain", plain_runs)]
        for side, runs in sides if repeat % 2 == 0 else sides[::-1]:
            folder = work / f"{case.name}-{side}-{repeat}"
            runs.append(run_ours(cli, folder) if side == "ours" else run_plain(case.plain, plain_config, folder))
    return summarise(case, settings, median_run(ours_runs), median_run(plain_runs), model)


def summarise(
    case: Case, settings: dict[str, Any], ours: dict[str, Any], plain: dict[str, Any], model: Path
) -> dict[str, Any]:
    units = plain.pop("units")
    evaluation = plain.pop("eval", None)
    for side in (ours, plain):
        side["units_per_s"] = round(units / side["train_s"], 1) if side["train_s"] else None
    ratio = {key.removesuffix("_s").removesuffix("_mb"): _ratio(ours[key], plain[key]) for key in PHASES}
    record: dict[str, Any] = {"case": case.name, "unit": case.unit, "units": units, "settings": settings}
    record.update({"ours": ours, "plain": plain, "ratio": ratio})
    if evaluation is not None:
        record["plain_eval"] = evaluation
    train_ratio = ratio["train"]
    if train_ratio is not None and train_ratio > SLOWER:
        record["note"] = SLOWER_NOTES.get(case.name) or unexplained(train_ratio, ours, plain)
    if case.gpu_only:
        record["mfu"] = mfu.report(model, ours["units_per_s"], plain["units_per_s"])
    return record


def unexplained(ratio: float, ours: dict[str, Any], plain: dict[str, Any]) -> str:
    """The note of a slower training loop with no known cause; says when it is within the machine's noise."""
    spread = max(ours["train_spread"], plain["train_spread"])
    if spread >= ratio - 1:
        return (
            f"ours is {ratio - 1:.0%} slower on the training loop, within this machine's run-to-run spread "
            f"({spread:.0%} between repeats of one side): re-run on an idle machine with more --repeats."
        )
    return f"ours is {ratio - 1:.0%} slower on the training loop; the cause is not identified yet."


def _ratio(ours: float | None, plain: float | None) -> float | None:
    return round(ours / plain, 3) if ours is not None and plain else None


def machine() -> dict[str, Any]:
    import os

    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "device": mfu.device_name(),
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
    }


def warm_imports() -> None:
    """Read the heavy libraries once so the first measured process does not pay a cold disk cache alone."""
    code = "import trl, transformers, datasets, peft, sklearn, xgboost, optuna"
    subprocess.run([sys.executable, "-c", code], check=True, env=child_env(), capture_output=True)


def help_times(repeats: int, work: Path) -> dict[str, float]:
    return {
        "aitraining --help": help_seconds([], repeats, work),
        "aitraining llm --help": help_seconds(["llm"], repeats, work),
    }
