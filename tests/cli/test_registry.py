"""Tests follow the registry: every task folder is registered, every registered command's import strings
resolve, and every command's --help renders without importing torch, transformers, trl, peft or datasets."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

import aitraining.tasks
from aitraining.tasks.registry import TASKS

HEAVY = ("torch", "transformers", "trl", "peft", "datasets")
TASK_ROOT = Path(aitraining.tasks.__file__).parent
FOLDERS = sorted(p.name for p in TASK_ROOT.iterdir() if (p / "params.py").is_file() or (p / "task.py").is_file())


def _module(target: str) -> str:
    return target.partition(":")[0]


def test_every_task_folder_is_registered():
    registered = {_module(spec.params).split(".")[2] for spec in TASKS.values() if spec.params}
    assert FOLDERS and set(FOLDERS) <= registered, sorted(set(FOLDERS) - registered)


@pytest.mark.parametrize("name", sorted(TASKS))
def test_registered_import_strings_resolve(name):
    spec = TASKS[name]
    if not spec.available:
        assert "not available in this version yet" in spec.unavailable_message()
        return
    assert spec.params_class().__name__ == spec.params.partition(":")[2]  # params modules are light
    for target in [spec.runner, *(action for _, action in spec.actions.values())]:
        assert importlib.util.find_spec(_module(target)) is not None, target


@pytest.fixture(scope="module")
def help_runs() -> dict[str, dict]:
    """One fresh process renders `aitraining --help` and every `<command> --help`, recording per command the
    exit code, whether it printed, and which heavy modules were imported by then."""
    probe = (
        "import contextlib, io, json, sys\n"
        "from aitraining.cli.main import main\n"
        f"names = [''] + {sorted(TASKS)!r}\n"
        "out = {}\n"
        "for name in names:\n"
        "    buffer = io.StringIO()\n"
        "    with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):\n"
        "        try:\n"
        "            code = main([name, '--help'] if name else ['--help'])\n"
        "        except SystemExit as exit:\n"
        "            code = exit.code\n"
        f"    heavy = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "    out[name] = {'code': code, 'text': buffer.getvalue(), 'heavy': heavy}\n"
        "print('RESULT' + json.dumps(out))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT"))
    return json.loads(line[len("RESULT") :])


@pytest.mark.parametrize("name", ["", *sorted(TASKS)], ids=["aitraining", *sorted(TASKS)])
def test_help_renders_without_heavy_imports(help_runs, name):
    run = help_runs[name]
    assert run["heavy"] == [], run["heavy"]
    assert run["code"] in (0, None), run["text"][-500:]
    assert run["text"].strip()
    if name and TASKS[name].available:
        assert "--model" in run["text"] and "--data-path" in run["text"]
