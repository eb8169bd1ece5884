"""Done means: on generated images whose square colour decides the answer word, each family trained from its
random start learns it. The loss falls, and the model reloaded from the project folder through the path
`--inference` uses answers held-out images with the right word well above chance (4 colours: 0.25)."""

import json
import time

import pytest

from aitraining.cli.main import main
from aitraining.tasks.vlm.inference import answer, read_rows
from aitraining.tasks.vlm.params import VLMParams
from aitraining.testing.vlm import write_square_vqa

SETTINGS = [
    "--epochs",
    "15",
    "--lr",
    "5e-3",
    "--batch-size",
    "8",
    "--gradient-accumulation",
    "1",
    "--logging-steps",
    "4",
    "--save-strategy",
    "no",
    "--eval-strategy",
    "no",
    "--disable-gradient-checkpointing",
]


def train_and_ask(family, vlm_models, tmp_path, *extra):
    data = write_square_vqa(tmp_path / "data", per_colour=10, seed=0)
    held_out = write_square_vqa(tmp_path / "held", per_colour=5, seed=7)  # other squares, other greys
    project = tmp_path / "project"
    started = time.perf_counter()
    code = main(
        [
            "vlm",
            "--train",
            "--model",
            str(vlm_models(family)),
            "--data-path",
            str(data),
            "--prompt-text-column",
            "question",
            "--text-column",
            "answer",
            "--project-name",
            str(project),
            *SETTINGS,
            *extra,
        ]
    )
    assert code == 0
    params = VLMParams(prompt_text_column="question", text_column="answer")
    rows = read_rows(str(held_out / "train"), params)
    replies = answer(project, rows, params, max_new_tokens=4)
    accuracy = sum(r == row["answer"] for r, row in zip(replies, rows, strict=True)) / len(rows)
    history = [e["loss"] for e in json.loads((project / "metrics.json").read_text())["history"] if "loss" in e]
    print(
        f"{family}: held-out accuracy {accuracy:.2f} on {len(rows)} images, loss {history[0]:.3f} -> "
        f"{history[-1]:.3f}, {time.perf_counter() - started:.0f} s"
    )
    return accuracy, history


@pytest.mark.parametrize("family", ["llava", "qwen2_vl", pytest.param("paligemma", marks=pytest.mark.slow)])
def test_each_family_learns_the_colour_word(vlm_models, tmp_path, family):
    accuracy, history = train_and_ask(family, vlm_models, tmp_path)
    assert history[-1] < 0.25 * history[0]
    assert accuracy >= 0.75
