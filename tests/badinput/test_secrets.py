"""A Hub token given with --token or HF_TOKEN never lands in any file a run writes, nor on the console."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from aitraining.testing import write_chat_dataset

FLAG_TOKEN = "hf_SECRETflagTOKEN0123456789abcdefXYZ"
ENV_TOKEN = "hf_SECRETenvTOKEN9876543210fedcbaQRS"


def encodings(secret: str) -> dict[str, bytes]:
    """The forms a string takes in text, JSON, pickles, protobuf (TensorBoard) and UTF-16 files."""
    raw = secret.encode()
    return {
        "utf-8": raw,
        "utf-16-le": secret.encode("utf-16-le"),
        "base64": base64.b64encode(raw)[:-4],  # a prefix that does not depend on padding
        "half": raw[: len(raw) // 2 + 4],  # the secret's first half: catches truncated or masked-tail copies
    }


def leaks(root: Path, secrets: list[str]) -> list[str]:
    found = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        data = path.read_bytes()
        for secret in secrets:
            found += [f"{path} ({form})" for form, blob in encodings(secret).items() if blob in data]
    return found


def written_files(project: Path) -> set[str]:
    return {p.relative_to(project).as_posix() for p in project.rglob("*") if p.is_file()}


def test_leak_finder_finds_a_planted_token(tmp_path):
    (tmp_path / "a.bin").write_bytes(b"\x00" + ENV_TOKEN.encode("utf-16-le"))
    (tmp_path / "b.json").write_text(json.dumps({"t": FLAG_TOKEN[:22] + "***"}))
    assert len(leaks(tmp_path, [FLAG_TOKEN, ENV_TOKEN])) == 2


def run_with_tokens(run_cli, monkeypatch, argv: list) -> str:
    monkeypatch.setenv("HF_TOKEN", ENV_TOKEN)
    code, out = run_cli(*argv, "--token", FLAG_TOKEN, "--log", "tensorboard", "--save-strategy", "steps")
    assert code == 0, out
    assert "Warning: token" not in out  # the token was accepted, not dropped as unused
    return out


@pytest.mark.parametrize("command", ["llm-sft", pytest.param("text-classification", marks=pytest.mark.slow)])
def test_no_file_a_run_writes_holds_the_token(command, run_cli, badinput_models, tmp_path, monkeypatch):
    project = tmp_path / "proj"
    if command == "llm-sft":
        data = write_chat_dataset(tmp_path / "d", n_train=8, n_valid=4)
        argv = ["llm", "--train", "--trainer", "sft", "--model", badinput_models["lm"], "--valid-split", "valid"]
        argv += ["--block-size", "64", "--batch-size", "2"]
    else:
        data = tmp_path / "t.csv"
        data.write_text("text,target\n" + "".join(f"row {i} {'ab'[i % 2]},{'ab'[i % 2]}\n" for i in range(12)))
        argv = ["text-classification", "--train", "--model", badinput_models["enc"], "--batch-size", "4"]
    argv += ["--data-path", data, "--project-name", project, "--epochs", "2", "--save-steps", "2"]
    argv += ["--logging-steps", "1", "--save-total-limit", "2"]
    out = run_with_tokens(run_cli, monkeypatch, argv)
    files = written_files(project)
    expected = {"training_params.json", "training.log", "README.md", "metrics.json", "config.json"}
    assert expected <= files, files
    assert any(f.startswith("logs/") and "tfevents" in f for f in files), files
    assert any(f.startswith("checkpoints/checkpoint-") for f in files), files
    assert "training_args.bin" in {Path(f).name for f in files}  # the pickled arguments were searched too
    assert leaks(tmp_path, [FLAG_TOKEN, ENV_TOKEN]) == []
    assert FLAG_TOKEN not in out and ENV_TOKEN not in out
