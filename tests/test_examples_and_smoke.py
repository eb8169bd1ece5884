"""Every example config resolves; one true subprocess run of the installed CLI."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from aitraining.cli.main import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.yml"))


@pytest.mark.parametrize("config", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_config_resolves(capsys, config, monkeypatch):
    monkeypatch.chdir(ROOT)
    assert main(["--config", str(config), "--explain"]) == 0, capsys.readouterr().err


def test_shipped_sample_data_is_chat(tmp_path):
    from aitraining.data.loading import load_splits

    data = load_splits(str(ROOT / "src/aitraining/sample_data/llm_sft"), valid_split="valid")
    assert len(data.train) >= 100 and data.valid is not None
    assert {"role", "content"} <= set(data.train[0]["messages"][0])


def test_cli_subprocess_end_to_end(tmp_path):
    from aitraining.testing import make_tiny_causal_lm, write_text_corpus

    model = make_tiny_causal_lm(tmp_path / "m")
    data = write_text_corpus(tmp_path / "d", n_train=40, n_valid=8)
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    cmd = [
        sys.executable,
        "-m",
        "aitraining",
        "llm",
        "--train",
        "--model",
        str(model),
        "--data-path",
        str(data),
        "--project-name",
        str(tmp_path / "p"),
        "--block-size",
        "32",
        "--rl-gamma",
        "0.9",
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Warning: rl_gamma only applies to PPO, will be ignored" in done.stderr
    assert "Model saved to" in done.stderr
    again = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    # the folder holds a finished run (and its checkpoint): refused, naming both ways forward
    assert again.returncode == 2 and "nothing was changed" in again.stderr and "--overwrite" in again.stderr
