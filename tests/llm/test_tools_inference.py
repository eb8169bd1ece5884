"""tools merge-llm-adapter equals base+adapter; llm --inference writes responses to JSON."""

import json

import torch
from peft import PeftModel
from transformers import AutoModelForCausalLM

from aitraining.cli.main import main

FAST = [
    "--batch-size",
    "8",
    "--gradient-accumulation",
    "1",
    "--block-size",
    "32",
    "--save-strategy",
    "no",
    "--max-samples",
    "24",
]


def test_merge_tool_matches_base_plus_adapter(capsys, tiny_lm, text_data, tmp_path):
    project = tmp_path / "lora"
    args = [
        "llm",
        "--train",
        "--model",
        str(tiny_lm),
        "--data-path",
        str(text_data),
        "--project-name",
        str(project),
        "--peft",
        "--merge-adapter=False",
        "--lr",
        "1e-2",
        *FAST,
    ]
    assert main(args) == 0
    out = tmp_path / "merged"
    assert (
        main(
            [
                "tools",
                "merge-llm-adapter",
                "--base-model-path",
                str(tiny_lm),
                "--adapter-path",
                str(project),
                "--output-folder",
                str(out),
            ]
        )
        == 0
    )
    ids = torch.tensor([[2, 7, 8, 9, 10]])
    merged = AutoModelForCausalLM.from_pretrained(out).eval()(ids).logits
    with_adapter = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(tiny_lm), str(project)).eval()
    base = AutoModelForCausalLM.from_pretrained(tiny_lm)(ids).logits
    assert torch.allclose(merged, with_adapter(ids).logits, atol=1e-4)
    assert not torch.allclose(merged, base, atol=1e-4)
    capsys.readouterr()
    code = main(
        [
            "tools",
            "merge-llm-adapter",
            "--base-model-path",
            str(tiny_lm),
            "--adapter-path",
            str(project),
            "--output-folder",
            str(out),
        ]
    )
    assert code == 2 and "not empty" in capsys.readouterr().err


def test_merge_tool_errors(capsys, tmp_path):
    code = main(
        [
            "tools",
            "merge-llm-adapter",
            "--base-model-path",
            "x",
            "--adapter-path",
            str(tmp_path),
            "--output-folder",
            str(tmp_path / "o"),
        ]
    )
    assert code == 2 and "adapter_config.json" in capsys.readouterr().err
    assert main(["tools", "merge-llm-adaptor"]) == 2
    assert "Did you mean merge-llm-adapter?" in capsys.readouterr().err


def test_inference_from_file_and_text(capsys, tiny_lm, chat_data, tmp_path):
    project = tmp_path / "sft"
    assert (
        main(
            [
                "llm",
                "--train",
                "--trainer",
                "sft",
                "--model",
                str(tiny_lm),
                "--data-path",
                str(chat_data),
                "--project-name",
                str(project),
                *FAST,
            ]
        )
        == 0
    )
    capsys.readouterr()
    prompts = tmp_path / "prompts.txt"
    prompts.write_text("What goes with red?\ncolour: blue\n")
    assert (
        main(
            [
                "llm",
                "--inference",
                "--project-name",
                str(project),
                "--inference-prompts",
                str(prompts),
                "--inference-max-new-tokens",
                "4",
            ]
        )
        == 0
    )
    assert "Prompt rule: the chat template is in use" in capsys.readouterr().err  # as in training
    results = json.loads((project / "inference.json").read_text())["results"]
    assert [r["prompt"] for r in results] == ["What goes with red?", "colour: blue"]
    assert all(isinstance(r["response"], str) for r in results)
    assert (
        main(
            [
                "llm",
                "--inference",
                "--project-name",
                str(project),
                "--inference-prompts",
                "hello there",
                "--inference-temperature",
                "0.8",
            ]
        )
        == 0
    )
    assert len(json.loads((project / "inference.json").read_text())["results"]) == 1
    capsys.readouterr()
    assert main(["llm", "--train", "--inference-max-new-tokens", "4", "--explain"]) == 0
    assert "inference_max_new_tokens only applies with --inference" in capsys.readouterr().err


def test_inference_needs_a_trained_project(capsys, tmp_path):
    code = main(["llm", "--inference", "--project-name", str(tmp_path), "--inference-prompts", "hi"])
    assert code == 2 and "No trained model in" in capsys.readouterr().err
