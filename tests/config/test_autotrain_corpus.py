"""Every AutoTrain-style config in examples/autotrain resolves with --explain (or, for a command not built
yet, gives that command's "not available" message), and AutoTrain's spellings, backends, ${ENV} references
and parameters behave as documented."""

from pathlib import Path

import pytest

from aitraining.config import load_config_file
from aitraining.tasks.registry import TASKS

ROOT = Path(__file__).resolve().parents[2]
CORPUS = sorted((ROOT / "examples" / "autotrain").glob("*.yml"))


@pytest.fixture(autouse=True)
def _no_hub_env(monkeypatch):
    for name in ("HF_USERNAME", "HF_TOKEN"):
        monkeypatch.delenv(name, raising=False)


def test_corpus_covers_every_command():
    commands = {load_config_file(path).command for path in CORPUS}
    assert commands == set(TASKS), set(TASKS) - commands


@pytest.mark.parametrize("config", CORPUS, ids=[p.stem for p in CORPUS])
def test_corpus_config_resolves(run_cli, config):
    task = TASKS[load_config_file(config).command]
    code, output = run_cli("--config", config, "--explain")
    if task.available:
        assert code == 0, output
        assert f"Resolved parameters for 'aitraining {task.name}'" in output
        assert "Unknown parameter" not in output
    else:
        assert code == 3 and task.unavailable_message() in output, output


def explained(output: str) -> dict[str, str]:
    rows = [line.split(None, 2) for line in output.splitlines() if line.startswith("  ")]
    return {row[0]: row[1] for row in rows if len(row) >= 2}


@pytest.mark.parametrize(
    ("task", "command", "trainer"),
    [
        ("llm-sft", "llm", "sft"),
        ("llm:orpo", "llm", "orpo"),
        ("LLM_Reward", "llm", "reward"),
        ("lm_training", "llm", None),
        ("sentence-transformers:pair_score", "sentence-transformers", "pair_score"),
        ("st:triplet", "sentence-transformers", "triplet"),
        ("text_classification", "text-classification", None),
        ("text_binary_classification", "text-classification", None),
        ("text_single_column_regression", "text-regression", None),
        ("extractive-question-answering", "extractive-qa", None),
        ("image_classification", "image-classification", None),
        ("image_regression", "image-regression", None),
        ("object_detection", "object-detection", None),
        ("vlm:vqa", "vlm", "vqa"),
        ("vlm:captioning", "vlm", "captioning"),
        ("tabular_classification", "tabular", None),
    ],
)
def test_task_spellings(tmp_path, task, command, trainer):
    from aitraining.config import task_from_name

    found, fixed = task_from_name(task)
    assert found == command and fixed.get("trainer") == trainer


def test_unknown_task_still_suggests(run_cli, tmp_path):
    cfg = tmp_path / "c.yml"
    cfg.write_text("task: llm-sfft\n")
    code, output = run_cli("--config", cfg, "--explain")
    assert code == 2 and "Unknown task 'llm-sfft'" in output and "Did you mean llm-sft?" in output


def test_autotrain_llm_params(run_cli):
    code, output = run_cli("--config", ROOT / "examples/autotrain/llm_sft_unsloth_liger.yml", "--explain")
    assert code == 0, output
    assert "Warning: unsloth: aitraining does not use Unsloth" in output
    assert "Warning: liger_kernel (aitraining does not use Liger kernels" in output
    assert "Warning: max_prompt_length only applies to DPO, ORPO, will be ignored" in output
    assert "refers to ${HF_USERNAME}, which is not set; pushing will need it" in output
    table = explained(output)
    assert table["padding"] == '"right"' and table["quantization"] == '"int4"'
    code, output = run_cli("--config", ROOT / "examples/autotrain/llm_generic.yml", "--explain")
    assert code == 0 and explained(output)["distributed_backend"] == '"ddp"'  # AutoTrain's key is ours
    assert explained(output)["quantization"] == '"none"'  # AutoTrain's `null` is our none
    assert "HF_USERNAME" not in output  # push_to_hub is false: the unset variable does not matter


def test_autotrain_flags_on_the_command_line(run_cli):
    code, output = run_cli(
        "llm", "--trainer", "sft", "--padding", "left", "--unsloth", "--liger-kernel", "--image-square-size=600",
        "--backend", "spaces-a10g-large", "--explain",
    )  # fmt: skip
    assert code == 0, output
    assert "Warning: unsloth: aitraining does not use Unsloth" in output
    assert "Warning: liger_kernel (aitraining does not use Liger kernels" in output
    assert "Warning: image_square_size is an AutoTrain parameter that 'aitraining llm' does not use" in output
    table = explained(output)
    assert table["padding"] == '"left"' and table["backend"] == '"spaces-a10g-large"'
    code, output = run_cli("llm", "--liger-kernel", "--strict", "--explain")
    assert code == 2 and "--strict turns this into an error" in output
    code, output = run_cli("llm", "--unsloth", "--strict", "--explain")
    assert code == 2 and "Unsloth" in output
    code, output = run_cli("llm", "--lerning-rate", "1", "--explain")
    assert code == 2 and "Unknown flag '--lerning-rate'" in output


def test_unknown_config_parameter_is_still_an_error(run_cli, tmp_path):
    cfg = tmp_path / "c.yml"
    cfg.write_text("task: llm-sft\nparams:\n  lora_rr: 8\n")
    code, output = run_cli("--config", cfg, "--explain")
    assert code == 2 and "Unknown parameter 'lora_rr'" in output and "lora_r" in output


@pytest.mark.parametrize(
    ("backend", "expected"),
    [
        ("spaces-a10g-largex4", "Hugging Face Spaces with hardware 'a10g-largex4'"),
        ("ep-aws-useast1-m", "Hugging Face Inference Endpoints with hardware 'aws-useast1-m'"),
        ("dgx-a100", "NVIDIA DGX Cloud"),
    ],
)
def test_remote_backends_say_what_is_available(run_cli, tmp_path, backend, expected):
    project = tmp_path / "p"
    code, output = run_cli(
        "llm", "--train", "--backend", backend, "--model", "m", "--data-path", "d", "--project-name", project
    )
    assert code == 3 and expected in output and "--backend local" in output and "not available" in output
    assert not project.exists()


def test_local_backend_spellings_resolve(run_cli):
    for backend in ("local", "local-cli", "local-ui"):
        code, output = run_cli("llm", "--backend", backend, "--explain")
        assert code == 0, output
    code, output = run_cli("llm", "--backend", "colab", "--explain")
    assert code == 2 and "Invalid value 'colab' for backend" in output and "spaces-a10g-large" in output
