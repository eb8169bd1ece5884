"""Every bad input gives one clear message, a non-zero exit, no traceback, and leaves earlier files as they were."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from badinput_cases import CASES, TEXT, Case

Snapshot = dict[str, tuple[int, str]]


def snapshot(*roots: Path) -> Snapshot:
    """{file: (mtime in ns, sha256)} for every file under the roots."""
    out: Snapshot = {}
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                out[str(path)] = (path.stat().st_mtime_ns, hashlib.sha256(path.read_bytes()).hexdigest())
    return out


def prepare(case: Case, workdir: Path, models: dict[str, Path]) -> tuple[list[str], dict[str, str]]:
    names = {key: str(path) for key, path in models.items()} | {"w": str(workdir), "p": str(workdir / "proj")}
    for rel, text in case.files.items():
        target = workdir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    return [arg.format(**names) for arg in case.argv], names


def check_one_error(code: int, out: str, case: Case, names: dict[str, str]) -> str:
    assert code == case.code, out
    assert "Traceback" not in out, out
    errors = [line for line in out.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, out
    for fragment in case.expect:
        assert fragment.format(**names) in errors[0], errors[0]
    return errors[0]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_gives_its_message_and_changes_nothing(case, run_cli, badinput_models, tmp_path, monkeypatch):
    workdir = tmp_path / "w"
    workdir.mkdir()
    argv, names = prepare(case, workdir, badinput_models)
    project_existed = (workdir / "proj").exists()
    before = snapshot(workdir, *badinput_models.values())
    if case.patch is not None:
        case.patch(monkeypatch, workdir)
    code, out = run_cli(*argv)
    monkeypatch.undo()
    check_one_error(code, out, case, names)
    after = snapshot(workdir, *badinput_models.values())
    assert {k: after.get(k) for k in before} == before  # nothing that existed was changed or removed
    if not project_existed and not case.creates_project:
        assert not (workdir / "proj").exists(), "the project folder was created before the inputs were checked"


def test_debug_flag_adds_the_traceback(run_cli, tmp_path):
    code, out = run_cli("llm", "--train", "--model", "m", "--data-path", tmp_path / "nope", "--debug")
    assert code == 2 and "Traceback (most recent call last)" in out and "DataError" in out
    assert out.rstrip().splitlines()[-1].startswith("Error: Data path")


def test_unexpected_failure_is_one_line_unless_debug(run_cli, tmp_path, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("something upstream broke\nwith a second line")

    monkeypatch.setattr("aitraining.data.loading.load_splits", boom)
    monkeypatch.setattr("aitraining.engine.supervised.load_splits", boom)
    (tmp_path / "t.csv").write_text("text,target\na,b\n")
    argv = ["text-classification", "--train", "--model", "m", "--data-path", tmp_path / "t.csv"]
    code, out = run_cli(*argv, "--project-name", tmp_path / "p")
    assert code == 1 and "Traceback" not in out
    assert "Error: unexpected failure (RuntimeError: something upstream broke)" in out and "--debug" in out
    code, out = run_cli(*argv, "--project-name", tmp_path / "p", "--debug")
    assert code == 1 and "Traceback (most recent call last)" in out and "with a second line" in out


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root may write to any folder")
def test_read_only_parent_folder_is_refused_up_front(run_cli, tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "train.jsonl").write_text(TEXT)
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    code, out = run_cli("llm", "--train", "--model", "m", "--data-path", tmp_path / "d", "--project-name", locked / "p")
    assert code == 2 and f"no write permission on {locked}" in out


def test_a_real_process_exits_non_zero_without_traceback(tmp_path):
    """The one subprocess check: exit status and stderr as a shell sees them."""
    bad = tmp_path / "c.yml"
    bad.write_text("task: llm\nparams:\n  lr: [1\n")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(Path(__file__).parents[2] / "src")}
    done = subprocess.run(
        [sys.executable, "-m", "aitraining", "--config", str(bad)], capture_output=True, text=True, env=env
    )
    assert done.returncode == 2
    assert done.stderr.startswith(f"Error: Config file {bad}, line 4, column 1: not valid YAML")
    assert "Traceback" not in done.stderr


def test_every_case_is_documented():
    doc = (Path(__file__).parents[2] / "docs" / "errors.md").read_text()
    assert [c.id for c in CASES if f"Case `{c.id}`" not in doc] == []
