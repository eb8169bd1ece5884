"""Helpers of the sweep tests: the sft flags of a 6-step trial, the CLI as a subprocess, the results checks."""

import json
import sys

from aitraining.testing.flags import FAST_LLM

SFT_FAST = [
    "--trainer",
    "sft",
    *FAST_LLM,
    "--logging-steps",
    "2",
    "--eval-strategy",
    "steps",
    "--save-strategy",
    "no",
    "--warmup-ratio",
    "0",
]


def sft_argv(model, data, project, *extra):
    return [
        "llm",
        "--train",
        "--model",
        str(model),
        "--data-path",
        str(data),
        "--valid-split",
        "valid",
        "--project-name",
        str(project),
        *SFT_FAST,
        "--use-sweep",
        *extra,
    ]


def cli_command(argv):
    """`python -m aitraining ...` for a true subprocess (the sweep's own trials are subprocesses too)."""
    return [sys.executable, "-m", "aitraining", *argv]


def table(project):
    return json.loads((project / "sweep_results.json").read_text())["trials"]


def check_results(project, metric, n_complete):
    """The table (CSV + JSON), the plot, best_params.yaml and the best model at the top level."""
    rows = table(project)
    complete = [r for r in rows if r["state"] == "complete"]
    assert len(complete) == n_complete, rows
    header = (project / "sweep_results.csv").read_text().splitlines()[0].split(",")
    assert header[:3] == ["number", "state", metric], header
    assert (project / "sweep.png").stat().st_size > 5000
    for r in complete:
        assert (project / "trials" / f"trial-{r['number']:03d}" / "metrics.json").is_file()
    return rows
