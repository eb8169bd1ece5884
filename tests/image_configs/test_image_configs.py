"""AutoTrain-style configs (task: image_classification / image_regression / object_detection) resolve and run."""

import json

import pytest
import yaml

from aitraining.testing.vision import (
    make_tiny_detr,
    make_tiny_vit,
    write_box_metadata,
    write_brightness_metadata,
    write_colour_classes,
)

CASES = {
    "image_classification": (make_tiny_vit, write_colour_classes, {"target_column": "target"}, "eval_f1_macro"),
    "image_regression": (make_tiny_vit, write_brightness_metadata, {"target_column": "target"}, "eval_mse"),
    "object_detection": (make_tiny_detr, write_box_metadata, {"objects_column": "objects"}, "eval_map"),
}


@pytest.mark.parametrize("task", list(CASES))
def test_autotrain_style_config_runs(run_cli, tmp_path, task):
    make_model, write_data, mapping, metric = CASES[task]
    config = {
        "task": task,
        "base_model": str(make_model(tmp_path / "m")),
        "project_name": str(tmp_path / "p"),
        "data": {
            "path": str(write_data(tmp_path / "d", n=20)),
            "train_split": "train",
            "column_mapping": {"image_column": "image", **mapping},
        },
        "params": {"epochs": 1, "batch_size": 4, "lr": 0.001, "logging_steps": 1},
    }
    if task == "object_detection":
        config["params"]["image_square_size"] = 64
    path = tmp_path / "config.yml"
    path.write_text(yaml.safe_dump(config))
    code, out = run_cli("--config", path)
    assert code == 0, out
    metrics = json.loads((tmp_path / "p" / "metrics.json").read_text())
    assert metric in metrics["final"], metrics["final"]
    assert (tmp_path / "p" / "preprocessor_config.json").is_file()
