"""image-classification: learns colours beyond chance, runs under pipeline(), digits >= 0.9, data layouts."""

import json

import pytest
from transformers import pipeline

from aitraining.testing.vision import make_tiny_vit, write_colour_classes


@pytest.fixture(scope="module")
def tiny_vit(tmp_path_factory):
    return make_tiny_vit(tmp_path_factory.mktemp("vit"))


def train(run_cli, *argv):
    return run_cli("image-classification", "--train", *argv)


def test_learns_colours_and_runs_under_pipeline(run_cli, tiny_vit, tmp_path):
    data = write_colour_classes(tmp_path / "d", n=80, colours=("red", "green", "blue"))
    project = tmp_path / "p"
    code, log = train(
        run_cli,
        "--model",
        tiny_vit,
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
    assert "holding out a seeded stratified 20%" in log
    final = json.loads((project / "metrics.json").read_text())["final"]
    assert final["eval_accuracy"] > 0.8, final  # chance is 1/3
    assert {"eval_precision_macro", "eval_recall_macro", "eval_f1_macro"} <= set(final)
    classify = pipeline("image-classification", model=str(project))
    red = write_colour_classes(tmp_path / "new", n=3, colours=("red",)) / "train" / "red" / "0.png"
    assert classify(str(red))[0]["label"] == "red"
