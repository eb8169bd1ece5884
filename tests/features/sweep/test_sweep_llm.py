"""An sft sweep end to end: killed mid-sweep and resumed without repeating a finished trial; its table, plot,
best_params.yaml (which reproduces the best trial's parameters) and the best model with its card; each
trial in a fresh process whose peak memory is recorded."""

import json
import signal
import subprocess
import time

import pytest
from sweep_helpers import check_results, cli_command, sft_argv, table

from aitraining.config import load_config_file, resolve
from aitraining.tasks.registry import TASKS

SPACE = json.dumps({"lr": {"type": "loguniform", "low": 1e-4, "high": 3e-3}, "warmup_ratio": [0.0, 0.1]})


def wait_for(path, process, seconds=240):
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert process.poll() is None, process.stdout.read()
        assert time.monotonic() < deadline, f"{path} did not appear"
        time.sleep(0.2)


def best_config_reproduces_best_trial(project, best_number):
    config = load_config_file(project / "best_params.yaml")
    resolved = resolve(TASKS[config.command], {}, config)
    trained = json.loads((project / "trials" / f"trial-{best_number:03d}" / "training_params.json").read_text())
    trained.pop("_not_applied")
    again = resolved.params.public_dict()
    assert again.pop("project_name") != trained.pop("project_name")  # trains into a new folder
    assert again == trained


def test_sft_sweep_resumes_after_a_kill_and_writes_its_results(run_cli, tiny_lm, small_chat, tmp_path):
    project = tmp_path / "sweep"
    argv = sft_argv(tiny_lm, small_chat, project, "--sweep-n-trials", "2", "--sweep-params", SPACE)
    parent = subprocess.Popen(cli_command(argv), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    wait_for(project / "trials" / "trial-001.yml", parent)  # trial 0 finished, trial 1 starting
    parent.send_signal(signal.SIGKILL)  # a crash: nothing in the sweep process runs after this
    parent.wait()
    first = project / "trials" / "trial-000" / "metrics.json"
    finished_at = first.stat().st_mtime_ns

    code, out = run_cli(*argv)
    assert code == 0, out
    assert "trial(s) 1 were left running by a stopped process" in out
    assert "resuming: 1 of 2 trials already finished or running" in out
    assert first.stat().st_mtime_ns == finished_at  # the finished trial was not run again
    rows = check_results(project, "eval_loss", n_complete=2)
    states = {r["number"]: r["state"] for r in rows}
    assert states == {0: "complete", 1: "interrupted", 2: "complete"}
    assert rows[2]["params"] == rows[1]["params"]  # the interrupted trial's values, queued again

    best = min((r for r in rows if r["state"] == "complete"), key=lambda r: r["metric"])
    best_config_reproduces_best_trial(project, best["number"])
    best_dir = project / "trials" / f"trial-{best['number']:03d}"
    assert (project / "model.safetensors").stat().st_ino == (best_dir / "model.safetensors").stat().st_ino
    card = (project / "README.md").read_text()
    assert f"This model is trial {best['number']} of a sweep of 3 trials" in card and "hard-linked" in card

    peaks = [r["peak_rss_mb"] for r in rows if r["state"] == "complete"]
    assert all(p > 150 for p in peaks), peaks  # each trial's own process (torch + model), measured
    assert max(peaks) < 1.3 * min(peaks), peaks  # a fresh process each: trial 2 costs what trial 0 did


@pytest.mark.slow
def test_sft_optuna_sweep_of_four_trials_and_a_grid(run_cli, tiny_lm, small_chat, tmp_path):
    project = tmp_path / "optuna"
    code, out = run_cli(*sft_argv(tiny_lm, small_chat, project, "--sweep-n-trials", "4", "--sweep-params", SPACE))
    assert code == 0, out
    rows = table(project)
    assert len(rows) == 4 and {r["state"] for r in rows} <= {"complete", "pruned"}, rows
    assert len({r["folder"] for r in rows}) == 4

    grid = tmp_path / "grid"
    space = json.dumps({"lr": [1e-3, 3e-3], "warmup_ratio": {"type": "uniform", "low": 0.0, "high": 0.1, "step": 0.1}})
    options = ["--sweep-backend", "grid", "--sweep-n-trials", "3", "--sweep-params", space]
    argv = sft_argv(tiny_lm, small_chat, grid, *options)
    code, out = run_cli(*argv)
    assert code == 0, out
    assert "the grid has 4 points; running 3 of them (--sweep-n-trials 3)" in out
    rows = table(grid)
    assert len(rows) == 3
    assert len({json.dumps(r["params"], sort_keys=True) for r in rows}) == 3  # distinct grid points
