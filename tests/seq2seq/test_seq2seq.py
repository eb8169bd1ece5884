"""seq2seq: learns a word-mapping task (ROUGE far above the untrained model), reloads and predicts,
LoRA merges, and bad input fails early with the row and column named."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

from aitraining.cli.main import main
from aitraining.engine.metrics import generation_metrics
from aitraining.tasks.seq2seq.predict import generate_texts
from aitraining.testing import make_tiny_seq2seq
from aitraining.testing._corpus import COLOUR_ANSWERS

COLOURS = sorted(COLOUR_ANSWERS)
FAST = ["--max-seq-length", "16", "--max-target-length", "12", "--disable-gradient-checkpointing"]


def mapping_rows(n: int, seed: int = 0) -> list[dict[str, str]]:
    """'red blue' -> 'apple sky': each word maps to a fixed word, so order and content are learnable."""
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        words = [rng.choice(COLOURS) for _ in range(rng.randint(2, 4))]
        rows.append({"text": " ".join(words), "target": " ".join(COLOUR_ANSWERS[w] for w in words)})
    return rows


def write_rows(folder: Path, rows: list[dict], name: str = "train.jsonl") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text("".join(json.dumps(r) + "\n" for r in rows))
    return folder


def train_args(model: Path, data: Path, project: Path, *extra: str) -> list[str]:
    return ["seq2seq", "--train", "--model", model, "--data-path", data, "--project-name", project, *extra]


@pytest.fixture(scope="module")
def base_model(tmp_path_factory) -> Path:
    return make_tiny_seq2seq(tmp_path_factory.mktemp("t5"))


@pytest.fixture(scope="module")
def trained(base_model, tmp_path_factory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("s2s")
    data = write_rows(root / "data", mapping_rows(160))
    argv = train_args(base_model, data, root / "p", "--epochs", "6", "--lr", "3e-3", "--batch-size", "16", *FAST)
    code = main([str(a) for a in argv])  # module-scoped: the log is read from training.log, not captured
    assert code == 0
    return root / "p", (root / "p" / "training.log").read_text()


def test_rouge_rises_far_above_the_untrained_model(trained, base_model):
    project, log = trained
    assert "holding out a seeded 20% of the training data" in log
    final = json.loads((project / "metrics.json").read_text())["final"]
    valid = mapping_rows(40, seed=1)
    texts, targets = [r["text"] for r in valid], [r["target"] for r in valid]
    before = generation_metrics(generate_texts(base_model, texts, max_new_tokens=12), targets)
    assert before["rougeL"] < 0.2, before
    assert final["eval_rougeL"] > 0.6 and final["eval_rougeL"] > before["rougeL"] + 0.4, final
    assert 0 <= final["eval_bleu"] <= 1 and final["eval_rouge1"] >= final["eval_rougeL"]
    card = (project / "README.md").read_text()
    assert "eval_rougeL" in card and "seq2seq --predict" in card


def test_reloads_with_transformers_and_predicts(trained):
    project, _ = trained
    model = AutoModelForSeq2SeqLM.from_pretrained(project)
    tokenizer = AutoTokenizer.from_pretrained(project)
    assert model.generation_config.max_new_tokens == 12  # --max-target-length, for plain generate() too
    valid = mapping_rows(40, seed=1)
    predicted = generate_texts(model, [r["text"] for r in valid], tokenizer=tokenizer, max_new_tokens=12)
    scores = generation_metrics(predicted, [r["target"] for r in valid])
    assert scores["rouge1"] > 0.6, (scores, predicted[:5])
    plain = model.generate(**tokenizer(["red blue"], return_tensors="pt"))
    assert tokenizer.decode(plain[0], skip_special_tokens=True).strip()


def test_plain_generate_reproduces_the_reported_scores(trained):
    """The saved generation config is the one evaluation used: generate() with no arguments on the held-out
    rows gives the final eval_rougeL (same batches of 16 as evaluation)."""
    from sklearn.model_selection import train_test_split

    project, log = trained
    rows = mapping_rows(160)
    _, held_out = train_test_split(list(range(len(rows))), test_size=0.2, random_state=42)
    valid = [rows[i] for i in sorted(held_out)]
    model = AutoModelForSeq2SeqLM.from_pretrained(project).eval()
    tokenizer = AutoTokenizer.from_pretrained(project)
    predicted = []
    for start in range(0, len(valid), 16):
        texts = [r["text"] for r in valid[start : start + 16]]
        batch = tokenizer(texts, max_length=16, truncation=True, padding=True, return_tensors="pt")
        generated = model.generate(**batch)
        predicted += [t.strip() for t in tokenizer.batch_decode(generated, skip_special_tokens=True)]
    scores = generation_metrics(predicted, [r["target"] for r in valid])
    metrics = json.loads((project / "metrics.json").read_text())
    assert scores["rougeL"] == pytest.approx(metrics["final"]["eval_rougeL"], abs=1e-6)
    assert metrics["selection"]["metric"] == "eval_rougeL"
    assert metrics["selection"]["split"] == "the held-out 20% of the training data"
    assert "Kept the checkpoint of step" in log and "the final metrics are that checkpoint's" in log


def test_predict_action_writes_next_to_the_model(trained, run_cli, tmp_path):
    project, _ = trained
    rows = write_rows(tmp_path / "rows", mapping_rows(12, seed=2), name="new.jsonl") / "new.jsonl"
    code, log = run_cli("seq2seq", "--predict", "--project-name", str(project), "--data-path", str(rows))
    assert code == 0, log
    assert "Scores: rouge1" in log  # the rows carry targets, so they are scored too
    results = [json.loads(line) for line in (project / "predictions.jsonl").read_text().splitlines()]
    assert len(results) == 12 and {"text", "prediction", "target"} <= set(results[0])
    scores = generation_metrics([r["prediction"] for r in results], [r["target"] for r in results])
    assert scores["rouge1"] > 0.6, results[:3]
    code, log = run_cli("seq2seq", "--predict", "--project-name", str(project), "--data-path", str(rows))
    assert code == 0 and (project / "predictions_2.jsonl").is_file()  # the first file is kept


def test_lora_adapter_is_merged_and_reloads(base_model, run_cli, tmp_path):
    data = write_rows(tmp_path / "d", mapping_rows(24))
    project = tmp_path / "p"
    extra = ("--peft", "--lora-r", "4", "--epochs", "1", "--batch-size", "8", *FAST)
    code, log = run_cli(*train_args(base_model, data, project, *extra))
    assert code == 0, log
    assert (project / "adapter" / "adapter_config.json").is_file()
    assert not (project / "adapter_config.json").exists()  # the root holds the merged full model
    assert "LoRA adapter" in (project / "README.md").read_text()
    model = AutoModelForSeq2SeqLM.from_pretrained(project)
    assert len(generate_texts(model, ["red blue"], tokenizer=AutoTokenizer.from_pretrained(project))) == 1


@pytest.mark.skipif(__import__("torch").cuda.is_available(), reason="checks the no-GPU message")
def test_quantization_needs_cuda(base_model, run_cli, tmp_path):
    data = write_rows(tmp_path / "d", mapping_rows(10))
    code, log = run_cli(*train_args(base_model, data, tmp_path / "p", "--peft", "--quantization", "int4"))
    assert code == 3 and "--quantization int4 uses bitsandbytes, which needs a CUDA GPU" in log
    assert not (tmp_path / "p").exists()


def test_rouge_reads_every_script():
    # rouge-score's default tokenizer keeps only a-z/0-9: Cyrillic targets would always score 0
    assert generation_metrics(["привет мир"], ["привет мир"])["rougeL"] == 1.0
    assert generation_metrics(["привет"], ["мир"])["rougeL"] == 0.0
    english = generation_metrics(["the cats are running"], ["the cat runs"])
    assert english["rouge1"] > 0.8  # stemmed: cats/cat and running/runs match


def test_quantization_needs_lora(run_cli, tmp_path):
    code, log = run_cli("seq2seq", "--train", "--model", "m", "--data-path", "d", "--quantization", "int8")
    assert code == 2 and "--quantization int8 trains through a LoRA adapter: add --peft" in log


def test_missing_column_is_named(base_model, run_cli, tmp_path):
    rows = [{"source": r["text"], "target": r["target"]} for r in mapping_rows(10)]
    data = write_rows(tmp_path / "d", rows)
    code, log = run_cli(*train_args(base_model, data, tmp_path / "p"))
    assert code == 2
    assert "Column 'text' (set by text_column) not found" in log and "source" in log and "--text-column" in log


def test_empty_target_names_row_and_column(base_model, run_cli, tmp_path):
    rows = mapping_rows(10)
    rows[3]["target"] = "  "
    data = write_rows(tmp_path / "d", rows)
    code, log = run_cli(*train_args(base_model, data, tmp_path / "p"))
    assert code == 2 and "Row 4 of the train split" in log and "column 'target'" in log
    assert not (tmp_path / "p").exists()


def test_predict_without_a_trained_model(run_cli, tmp_path):
    code, log = run_cli("seq2seq", "--predict", "--project-name", str(tmp_path / "none"), "--data-path", str(tmp_path))
    assert code == 2 and "No trained model in" in log


def test_help_shows_the_seq2seq_flags(run_cli):
    code, out = run_cli("seq2seq", "--help")
    assert code == 0
    for flag in (
        "--text-column",
        "--target-column",
        "--max-seq-length",
        "--max-target-length",
        "--predict",
        "--lora-r",
        "--quantization",
        "--early-stopping-patience",
    ):
        assert flag in out
