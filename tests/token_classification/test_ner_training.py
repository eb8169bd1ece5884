"""token-classification learns a synthetic NER task end to end; the saved model works in the NER pipeline."""

from __future__ import annotations

import json

from ner_helpers import synthetic_rows, write_jsonl

from aitraining.tasks.token_classification.params import TokenClassificationParams
from aitraining.tasks.token_classification.task import align_labels

FAST = ["--disable-gradient-checkpointing", "--batch-size", "16", "--logging-steps", "5"]


def test_autotrain_defaults_and_flags(run_cli):
    defaults = TokenClassificationParams()
    assert (defaults.lr, defaults.epochs, defaults.batch_size, defaults.gradient_accumulation) == (5e-5, 3, 8, 1)
    assert (defaults.tokens_column, defaults.tags_column, defaults.max_seq_length) == ("tokens", "tags", 128)
    code, out = run_cli("token-classification", "--help")
    assert code == 0
    for flag in ("--tokens-column", "--tags-column", "--max-seq-length", "--early-stopping-patience"):
        assert flag in out
    assert "--text-column" not in out  # words come from --tokens-column only


def test_first_sub_token_carries_the_word_label():
    # [CLS] new york ##er [SEP]: "york" + "##er" are one word, only its first piece is scored.
    assert align_labels([None, 0, 1, 1, None], [3, 5]) == [-100, 3, 5, -100, -100]


def test_learns_entities_and_works_in_the_ner_pipeline(tmp_path, tiny_encoder, run_cli):
    data = write_jsonl(tmp_path / "data" / "train.jsonl", synthetic_rows(200, seed=2)).parent
    project = tmp_path / "project"
    code, log = run_cli(
        "token-classification", "--train", "--model", tiny_encoder, "--data-path", data, "--project-name", project,
        "--lr", "3e-3", "--epochs", "4", "--early-stopping-patience", "2", *FAST,
    )  # fmt: skip
    assert code == 0, log
    assert "holding out a seeded 20% of the training data" in log
    assert "7 tags: O, B-LOC, B-ORG, B-PER, I-LOC, I-ORG, I-PER" in log
    final = json.loads((project / "metrics.json").read_text())["final"]
    assert final["eval_f1"] > 0.7 and final["eval_accuracy"] > 0.9, final
    assert {"eval_PER_f1", "eval_LOC_f1", "eval_ORG_f1"} <= set(final)
    assert "eval_f1" in (project / "README.md").read_text()

    from transformers import pipeline

    tagger = pipeline("token-classification", model=str(project), aggregation_strategy="simple")
    found = {(e["entity_group"], e["word"]) for e in tagger("carol jones works for globex corp in buenos aires .")}
    assert found == {("PER", "carol jones"), ("ORG", "globex corp"), ("LOC", "buenos aires")}, found
