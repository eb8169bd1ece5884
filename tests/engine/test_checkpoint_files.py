"""Checkpoint files without a model: manifest, validation, newest-good search, rotation, fingerprints."""

from __future__ import annotations

import json

import pytest

from aitraining.engine import checkpoints as ck
from aitraining.engine.fingerprint import data_fingerprint, differences
from aitraining.engine.signals import resume_command

FINGERPRINT = {"task": "llm", "trainer": "sft", "params": {"lr": 0.1, "log": "none"}, "data": "d", "processes": 1}


def staged_checkpoint(root, step, payload=b"weights" * 100):
    staged = ck.fresh_staging(root) / f"{ck.PREFIX}{step}"
    staged.mkdir()
    (staged / "model.safetensors").write_bytes(payload)
    (staged / "sub").mkdir()
    (staged / "sub" / "state.json").write_text(json.dumps({"step": step}))
    return ck.commit(staged, root, step, step / 10, FINGERPRINT)


def test_commit_writes_manifest_and_leaves_no_staging(tmp_path):
    final = staged_checkpoint(tmp_path, 3)
    assert final == tmp_path / "checkpoint-3" and not (tmp_path / ck.STAGING).exists()
    manifest = ck.read_manifest(final)
    assert manifest["step"] == 3 and manifest["fingerprint"] == FINGERPRINT
    assert set(manifest["files"]) == {"model.safetensors", "sub/state.json"}
    assert manifest["files"]["model.safetensors"]["size"] == 700
    assert "torch" in manifest["versions"] and ck.validate(final) is None


def test_truncated_or_unfinished_checkpoints_are_skipped_with_reasons(tmp_path):
    staged_checkpoint(tmp_path, 2)
    newest = staged_checkpoint(tmp_path, 4)
    weights = newest / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:100])  # truncated on purpose
    unfinished = tmp_path / "checkpoint-6"  # a save that never got its manifest
    unfinished.mkdir()
    (unfinished / "model.safetensors").write_bytes(b"x")
    logged = []
    assert ck.find_latest_good(tmp_path, logged.append) == tmp_path / "checkpoint-2"
    assert "checkpoint-6: it has no manifest" in logged[0]
    assert "checkpoint-4: model.safetensors has 100 bytes, the manifest says 700 (truncated" in logged[1]


def test_changed_bytes_of_the_same_size_are_caught(tmp_path):
    final = staged_checkpoint(tmp_path, 1)
    (final / "sub" / "state.json").write_text(json.dumps({"step": 9}))
    assert "does not match its checksum" in ck.validate(final)


def test_rotation_keeps_the_newest_complete_and_the_best(tmp_path):
    for step in (1, 2, 3, 4):
        staged_checkpoint(tmp_path, step)
    broken = tmp_path / "checkpoint-9"
    broken.mkdir()  # incomplete: neither counted nor deleted
    removed = ck.rotate(tmp_path, 1, keep=tmp_path / "checkpoint-2")
    assert sorted(p.name for p in removed) == ["checkpoint-1", "checkpoint-3"]
    assert [p.name for p in ck.list_checkpoints(tmp_path)] == ["checkpoint-2", "checkpoint-4", "checkpoint-9"]
    assert ck.rotate(tmp_path, 1) == [tmp_path / "checkpoint-2"]  # the newest complete one always stays


def test_staging_folder_is_never_a_checkpoint(tmp_path):
    staged = ck.fresh_staging(tmp_path) / "checkpoint-5"  # a kill in the middle of a save
    staged.mkdir()
    assert ck.list_checkpoints(tmp_path) == [] and ck.find_latest_good(tmp_path, print) is None


def test_fingerprint_differences_name_each_change(tmp_path):
    current = {**FINGERPRINT, "params": {"lr": 0.2, "log": "tensorboard", "batch_size": 4}, "processes": 2}
    lines = differences(FINGERPRINT, current)
    assert "number of processes was 1, now 2" in lines
    assert "--lr was 0.1, now 0.2" in lines and "--batch-size was '(not set)', now 4" in lines
    assert not any("--log" in line for line in lines)  # where metrics go does not alter the run


def test_data_fingerprint_follows_contents(tmp_path):
    (tmp_path / "train.jsonl").write_text('{"text": "a"}\n')
    before = data_fingerprint(str(tmp_path))
    (tmp_path / ".cache").mkdir()
    (tmp_path / ".cache" / "x").write_text("ignored")
    assert data_fingerprint(str(tmp_path)) == before
    (tmp_path / "train.jsonl").write_text('{"text": "b"}\n')
    assert data_fingerprint(str(tmp_path)) != before
    assert data_fingerprint("org/some-hub-dataset") == "hub:org/some-hub-dataset"


@pytest.mark.parametrize(
    "argv",
    [
        ["llm", "--train", "--lr", "0.1", "--overwrite"],
        ["llm", "--train", "--lr", "0.1", "--resume-from-checkpoint", "old/checkpoint-2"],
        ["llm", "--train", "--lr", "0.1", "--resume-from-checkpoint=auto"],
    ],
)
def test_resume_command_adds_auto_and_drops_overwrite(argv):
    assert resume_command(argv) == "aitraining llm --train --lr 0.1 --resume-from-checkpoint auto"
