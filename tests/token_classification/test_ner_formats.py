"""Tags as JSON text in a CSV, integer tags named by a ClassLabel feature, and tags that are not IOB."""

from __future__ import annotations

import json

import pandas as pd
from ner_helpers import synthetic_rows

ONE_EPOCH = ["--epochs", "1", "--lr", "3e-3", "--batch-size", "16", "--disable-gradient-checkpointing"]


def train(run_cli, model, data, project, *flags) -> tuple[str, dict]:
    code, log = run_cli(
        "token-classification", "--train", "--model", model, "--data-path", data, "--project-name", project,
        *ONE_EPOCH, *flags,
    )  # fmt: skip
    assert code == 0, log
    config = json.loads((project / "config.json").read_text())
    return log, config


def test_csv_cells_hold_json_lists(tmp_path, tiny_encoder, run_cli):
    rows = synthetic_rows(40, seed=3)
    frame = pd.DataFrame(
        {"words": [json.dumps(r["tokens"]) for r in rows], "ner": [json.dumps(r["tags"]) for r in rows]}
    )
    frame.to_csv(tmp_path / "ner.csv", index=False)
    flags = ["--tokens-column", "words", "--tags-column", "ner"]
    _, config = train(run_cli, tiny_encoder, tmp_path / "ner.csv", tmp_path / "p", *flags)
    assert config["label2id"]["O"] == 0 and "B-PER" in config["label2id"]


def test_integer_tags_take_their_classlabel_names(tmp_path, tiny_encoder, run_cli):
    from datasets import ClassLabel, Dataset, Features, List, Value

    names = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC"]
    rows = synthetic_rows(40, seed=4)
    features = Features({"tokens": List(Value("string")), "ner_tags": List(ClassLabel(names=names))})
    ids = [[names.index(tag) for tag in r["tags"]] for r in rows]
    Dataset.from_dict({"tokens": [r["tokens"] for r in rows], "ner_tags": ids}, features).save_to_disk(tmp_path / "d")
    log, config = train(run_cli, tiny_encoder, tmp_path / "d", tmp_path / "p", "--tags-column", "ner_tags")
    assert config["id2label"] == {str(i): name for i, name in enumerate(names)}  # the dataset's own ids
    assert "scoring entities (seqeval" in log
    assert "eval_PER_f1" in json.loads((tmp_path / "p" / "metrics.json").read_text())["final"]


def test_tags_that_are_not_spans_are_scored_per_word(tmp_path, tiny_encoder, run_cli):
    kinds = {"PER": "NAME", "LOC": "PLACE", "ORG": "COMPANY"}  # plain classes (like POS tags), no B-/I-
    rows = [
        {"tokens": r["tokens"], "tags": [kinds.get(t[2:], "OTHER") for t in r["tags"]]} for r in synthetic_rows(40, 5)
    ]
    (tmp_path / "pos.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    log, config = train(run_cli, tiny_encoder, tmp_path / "pos.jsonl", tmp_path / "p")
    assert "Tags do not mark entity spans: scoring each word's tag" in log
    assert set(config["label2id"]) == {"COMPANY", "NAME", "OTHER", "PLACE"}
    final = json.loads((tmp_path / "p" / "metrics.json").read_text())["final"]
    assert {"eval_f1", "eval_accuracy"} <= set(final) and "eval_PER_f1" not in final
