"""image-regression: learns brightness beyond the mean, reloads as a one-output AutoModelForImageClassification."""

import json

import torch
from PIL import Image
from transformers import AutoImageProcessor, AutoModelForImageClassification

from aitraining.testing.vision import make_tiny_vit, write_brightness_metadata


def test_learns_brightness_and_reloads_as_regression_head(run_cli, tmp_path):
    model = make_tiny_vit(tmp_path / "m")
    data = write_brightness_metadata(tmp_path / "d", n=64)
    project = tmp_path / "p"
    code, log = run_cli(
        "image-regression",
        "--train",
        "--model",
        model,
        "--data-path",
        data,
        "--project-name",
        project,
        "--epochs",
        "4",
        "--lr",
        "2e-3",
        "--batch-size",
        "8",
    )
    assert code == 0, log
    assert "holding out a seeded 20%" in log
    final = json.loads((project / "metrics.json").read_text())["final"]
    # predicting the mean gives R² 0 and an MSE of the targets' variance (0.053 for uniform 0.1..0.9)
    assert final["eval_r2"] > 0.5 and final["eval_mse"] < 0.03, final
    assert {"eval_mae", "eval_mse", "eval_r2"} <= set(final)
    reloaded = AutoModelForImageClassification.from_pretrained(project)
    assert reloaded.config.num_labels == 1 and reloaded.config.problem_type == "regression"
    processor = AutoImageProcessor.from_pretrained(project, backend="pil")
    dark, light = Image.new("RGB", (32, 32), (40, 40, 40)), Image.new("RGB", (32, 32), (215, 215, 215))
    with torch.no_grad():
        values = reloaded(**processor(images=[dark, light], return_tensors="pt")).logits[:, 0]
    assert values[0] < values[1], values
    code, out = run_cli("image-regression", "--predict", "--project-name", project, "--data-path", data / "train")
    assert code == 0, out
    rows = [json.loads(line) for line in (project / "predictions.jsonl").read_text().splitlines()]
    assert len(rows) == 64 and {"image", "prediction", "target"} <= set(rows[0])  # metadata targets are scored
    assert "Scores: mse" in out
