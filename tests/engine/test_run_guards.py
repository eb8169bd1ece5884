"""Errors that must come before any model is loaded, and outputs that must stay untouched."""

import time

import pytest

from aitraining.cli.main import main
from aitraining.engine.hub import HubError, files_to_push, hub_target, push
from aitraining.tasks.llm.params import LLMParams

MISSING_MODEL = "/nonexistent/model-that-would-fail-to-load"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out + err


def base_args(model, data, project):
    return ["llm", "--train", "--model", str(model), "--data-path", str(data), "--project-name", str(project)]


def test_missing_column_is_reported_before_the_model_loads(capsys, tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "train.jsonl").write_text('{"content": "a"}\n')
    code, log = run(capsys, *base_args(MISSING_MODEL, tmp_path / "d", tmp_path / "p"))
    assert code == 2
    assert "Column 'text' (set by text_column) not found" in log and "content" in log and "--text-column" in log
    assert not (tmp_path / "p").exists()


def test_malformed_jsonl_line_named(capsys, tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "train.jsonl").write_text('{"text": "a"}\n{"text": oops}\n')
    code, log = run(capsys, *base_args(MISSING_MODEL, tmp_path / "d", tmp_path / "p"))
    assert code == 2 and "train.jsonl, line 2, column 10: not valid JSON" in log


def test_chat_column_with_generic_points_to_sft(capsys, tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "train.jsonl").write_text('{"text": [{"role": "user", "content": "hi"}]}\n')
    code, log = run(capsys, *base_args(MISSING_MODEL, tmp_path / "d", tmp_path / "p"))
    assert code == 2 and "--trainer sft" in log


def test_existing_project_is_never_overwritten(capsys, tmp_path):
    project = tmp_path / "p"
    project.mkdir()
    (project / "keep.txt").write_text("precious")
    code, log = run(capsys, *base_args(MISSING_MODEL, tmp_path / "nodata", project))
    assert code == 2 and "already exists and is not empty" in log and "--overwrite" in log
    assert (project / "keep.txt").read_text() == "precious"


def test_overwrite_keeps_outputs_when_inputs_are_bad(capsys, tmp_path):
    project = tmp_path / "p"
    project.mkdir()
    (project / "keep.txt").write_text("precious")
    code, log = run(capsys, *base_args(MISSING_MODEL, tmp_path / "nodata", project), "--overwrite")
    assert code == 2 and "does not exist" in log
    assert (project / "keep.txt").read_text() == "precious"


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--quantization", "int4", "--peft"], "needs a CUDA GPU"),
        (["--mixed-precision", "fp16"], "fp16 needs a CUDA GPU"),
        (["--use-flash-attention-2"], "needs a CUDA GPU"),
    ],
)
def test_hardware_errors_are_clear(capsys, tmp_path, flags, message):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "train.jsonl").write_text('{"text": "a"}\n')
    code, log = run(capsys, *base_args(MISSING_MODEL, tmp_path / "d", tmp_path / "p"), *flags)
    assert code == 3 and message in log


def test_wandb_without_package_or_key_is_clear(capsys, tmp_path, monkeypatch):
    import importlib.util

    monkeypatch.delenv("WANDB_API_KEY", raising=False)
    code, log = run(capsys, *base_args(MISSING_MODEL, tmp_path / "nodata", tmp_path / "p"), "--log", "wandb")
    if importlib.util.find_spec("wandb") is None:
        assert code == 3 and "pip install" in log
    else:
        assert "offline" in log


def test_push_refused_early_when_offline(monkeypatch):
    from aitraining.errors import ParamError

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ParamError, match="HF_HUB_OFFLINE"):
        hub_target(LLMParams(push_to_hub=True, token="t", username="u"))


def test_push_needs_token_and_repo(tmp_path, monkeypatch):
    from aitraining.errors import ParamError

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("HF_TOKEN", raising=False)
    with pytest.raises(ParamError, match="needs a token"):
        hub_target(LLMParams(push_to_hub=True, username="u"))
    with pytest.raises(ParamError, match="--repo-id"):
        hub_target(LLMParams(push_to_hub=True, token="t"))
    assert hub_target(LLMParams(push_to_hub=True, token="t", username="u", project_name="runs/x")) == (
        "u/x",
        "t",
    )


def test_push_selects_artefacts_only_and_fails_clearly_offline(tmp_path, monkeypatch):
    for name in (
        "model.safetensors",
        "config.json",
        "README.md",
        "training.log",
        "checkpoints/c/optimizer.pt",
        "logs/events.out.tfevents.1",
        "adapter/adapter_config.json",
        "tokenizer.json",
    ):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    chosen = {p.relative_to(tmp_path).as_posix() for p in files_to_push(tmp_path)}
    assert chosen == {
        "model.safetensors",
        "config.json",
        "README.md",
        "adapter/adapter_config.json",
        "tokenizer.json",
    }
    start = time.perf_counter()
    with pytest.raises(HubError, match="saved locally") as info:
        push(tmp_path, "someone/model", "hf_secret_token")
    assert "hf_secret_token" not in str(info.value)
    assert time.perf_counter() - start < 10


def test_late_failure_leaves_no_project_folder(capsys, tmp_path):
    """A template error is found after the tokenizer loads but before weights load or the folder is made."""
    from aitraining.testing import make_tiny_causal_lm, write_chat_dataset

    model = make_tiny_causal_lm(tmp_path / "m")
    data = write_chat_dataset(tmp_path / "d", n_train=8, n_valid=2)
    project = tmp_path / "p"
    code, log = run(capsys, *base_args(model, data, project), "--trainer", "sft", "--chat-template", "none")
    assert code == 2 and "no chat template" in log
    assert "Loading weights" not in log
    assert not project.exists()


def test_message_without_content_names_the_row(capsys, tmp_path):
    from aitraining.testing import make_tiny_causal_lm

    model = make_tiny_causal_lm(tmp_path / "m")
    (tmp_path / "d").mkdir()
    rows = [
        '{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}]}',
        '{"messages": [{"role": "user"}]}',
    ]
    (tmp_path / "d" / "train.jsonl").write_text("\n".join(rows) + "\n")
    code, log = run(capsys, *base_args(model, tmp_path / "d", tmp_path / "p"), "--trainer", "sft")
    assert code == 2 and "Row 2" in log and "'content'" in log
    assert not (tmp_path / "p").exists()


def test_missing_local_model_folder_is_named(capsys, tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "train.jsonl").write_text('{"text": "a"}\n')
    code, log = run(capsys, *base_args(tmp_path / "nomodel", tmp_path / "d", tmp_path / "p"))
    assert code == 2 and "no such folder" in log
