"""The command around the encoding: LoRA that leaves the vision tower alone and merges on save, the model card,
--inference, the int4 error off CUDA, resume after a signal, and AutoTrain's vlm:vqa layout."""

import json
import signal
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file
from transformers import TrainerCallback

from aitraining.engine import hf_guard
from aitraining.testing.interrupt import step_losses

ROOT = Path(__file__).resolve().parents[2]
COLUMNS = ["--prompt-text-column", "question", "--text-column", "answer"]


def train_args(model, data, project, *extra):
    return [
        "vlm",
        "--train",
        "--model",
        str(model),
        "--data-path",
        str(data),
        "--project-name",
        str(project),
        *COLUMNS,
        "--batch-size",
        "4",
        "--gradient-accumulation",
        "1",
        "--logging-steps",
        "1",
        "--disable-gradient-checkpointing",
        *extra,
    ]


def weights(folder):
    return load_file(str(Path(folder) / "model.safetensors"))


def test_lora_adapts_the_language_model_only_and_merges_on_save(run_cli, vlm_models, square_data, tmp_path):
    base = vlm_models("llava")
    project = tmp_path / "lora"
    code, log = run_cli(*train_args(base, square_data, project, "--peft", "--epochs", "2", "--lr", "1e-2"))
    assert code == 0, log
    adapter = json.loads((project / "adapter" / "adapter_config.json").read_text())
    assert adapter["target_modules"].startswith(".*(language_model|text_model)")
    adapted = [k for k in load_file(str(project / "adapter" / "adapter_model.safetensors")) if "lora_" in k]
    assert adapted and all("language_model" in k for k in adapted)
    before, after = weights(base), weights(project)  # the merged model at the root, saved in the base's layout
    vision = [k for k in before if "vision_tower" in k or "multi_modal_projector" in k]
    assert vision and all(torch.equal(before[k], after[k]) for k in vision)
    changed = [k for k in before if "q_proj" in k and not torch.equal(before[k], after[k])]
    assert changed and all("language_model" in k for k in changed)
    card = (project / "README.md").read_text()
    assert "pipeline_tag: image-text-to-text" in card and "AutoModelForImageTextToText" in card
    assert "Loss: on the answer tokens only" in card and "image tokens per sample min 16" in card


def test_inference_answers_image_rows_from_the_project(run_cli, vlm_models, square_data, tmp_path):
    project = tmp_path / "full"
    assert run_cli(*train_args(vlm_models("qwen2_vl"), square_data, project, "--epochs", "1"))[0] == 0
    code, log = run_cli(
        "vlm",
        "--inference",
        "--project-name",
        project,
        "--inference-prompts",
        square_data / "train",
        "--inference-max-new-tokens",
        "3",
    )
    assert code == 0, log
    results = json.loads((project / "inference.json").read_text())["results"]
    assert len(results) == 16 and {"image", "prompt", "response", "expected"} <= set(results[0])
    assert results[0]["prompt"] == "What colour is the square?"  # the trained columns, without repeating flags
    assert "Exact-match answers on these labelled rows" in log
    # trained without torchvision, the saved processor still carries the base model's video settings
    saved = json.loads((project / "processor_config.json").read_text())
    assert saved["processor_class"] == "Qwen2VLProcessor" and "video_processor" in saved


def test_an_unmerged_adapter_project_answers_and_its_card_loads_it(run_cli, vlm_models, square_data, tmp_path):
    project = tmp_path / "adapter"
    extra = ["--peft", "--merge-adapter", "false", "--epochs", "1"]
    assert run_cli(*train_args(vlm_models("llava"), square_data, project, *extra))[0] == 0
    assert (project / "adapter_config.json").is_file() and not (project / "model.safetensors").exists()
    code, log = run_cli("vlm", "--inference", "--project-name", project, "--inference-prompts", square_data / "train")
    assert code == 0, log
    card = (project / "README.md").read_text()
    assert "library_name: peft" in card and "AutoModelForImageTextToText.from_pretrained" in card


def test_int4_off_cuda_is_a_clear_error_before_anything_loads(run_cli, vlm_models, square_data, tmp_path):
    if torch.cuda.is_available():
        pytest.skip("CUDA is available here")
    code, log = run_cli(
        *train_args(vlm_models("llava"), square_data, tmp_path / "q", "--peft", "--quantization", "int4")
    )
    assert code != 0 and "--quantization int4" in log and "CUDA" in log
    assert "Weights being trained" not in log and not (tmp_path / "q").exists()


def test_sigterm_then_resume_continues_the_same_loss_curve(run_cli, monkeypatch, vlm_models, square_data, tmp_path):
    model = vlm_models("llava")
    steps = ["--epochs", "2", "--lr", "5e-3", "--save-strategy", "steps", "--save-steps", "2", "--warmup-ratio", "0"]
    twin = tmp_path / "twin"
    assert run_cli(*train_args(model, square_data, twin, *steps))[0] == 0

    class Raise(TrainerCallback):
        def on_step_begin(self, args, state, control, **kwargs):
            if state.global_step + 1 == 3:
                signal.raise_signal(signal.SIGTERM)

    attach = hf_guard.attach
    monkeypatch.setattr(hf_guard, "attach", lambda t, g: (attach(t, g), t.add_callback(Raise())))
    project = tmp_path / "run"
    code, log = run_cli(*train_args(model, square_data, project, *steps))
    monkeypatch.undo()
    assert code == 143, log
    code, log = run_cli(*train_args(model, square_data, project, *steps, "--resume-from-checkpoint", "auto"))
    assert code == 0, log
    assert "Resuming from" in log and "(step 3," in log
    resumed, expected = step_losses(project), step_losses(twin)
    assert sorted(resumed) == sorted(expected) == list(range(1, 7))  # 12 training rows, batch 4, 2 epochs
    assert max(abs(resumed[s] - expected[s]) for s in expected) < 1e-4, (resumed, expected)


def test_autotrain_vlm_vqa_layout_resolves(run_cli):
    from aitraining.config import load_config_file, resolve

    config = load_config_file(ROOT / "examples" / "autotrain" / "vlm_vqa.yml")
    assert config.command == "vlm" and config.values["trainer"] == "vqa"
    code, output = run_cli("--config", ROOT / "examples" / "autotrain" / "vlm_vqa.yml", "--explain")
    assert code == 0, output
    rows = {line.split()[0]: line.split()[1] for line in output.splitlines() if line.startswith("  ")}
    assert rows["image_column"] == '"image"' and rows["prompt_text_column"] == '"question"'
    assert rows["text_column"] == '"multiple_choice_answer"' and rows["trainer"] == '"vqa"'
    assert resolve is not None


def test_paligemma_trains_through_its_prefix_suffix_convention(run_cli, vlm_models, square_data, tmp_path):
    project = tmp_path / "pg"
    code, log = run_cli(*train_args(vlm_models("paligemma"), square_data, project, "--epochs", "3", "--lr", "5e-3"))
    assert code == 0, log
    losses = step_losses(project)
    assert losses[max(losses)] < losses[1]
    assert "image tokens per sample min 16, median 16, max 16" in (project / "README.md").read_text()


def test_captioning_has_no_question_and_warns_about_one(run_cli, vlm_models, tmp_path):
    from aitraining.testing.vlm import write_square_vqa

    data = write_square_vqa(tmp_path / "captions", per_colour=3, question=None)
    common = ["--trainer", "captioning", "--model", vlm_models("qwen2_vl"), "--data-path", data]
    train = ["--prompt-text-column", "question", "--epochs", "1", "--disable-gradient-checkpointing"]
    code, log = run_cli("vlm", "--train", *common, "--text-column", "answer", "--project-name", tmp_path / "c", *train)
    assert code == 0, log
    assert "prompt_text_column" in log and "ignored" in log.lower()
    code, out = run_cli("vlm", "--preview-data", *common, "--text-column", "answer", "--preview-samples", "1")
    assert code == 0 and "<|vision_end|><|im_end|>" in out  # the user turn holds the image only


def test_vqa_without_a_question_column_names_the_flag(run_cli, vlm_models, square_data, tmp_path):
    common = ["--model", vlm_models("llava"), "--data-path", square_data, "--project-name", tmp_path / "p"]
    code, log = run_cli("vlm", "--train", *common, "--text-column", "answer")
    assert code != 0 and "--trainer vqa needs --prompt-text-column" in log and "row 1" in log
