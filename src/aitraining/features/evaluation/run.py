"""--use-enhanced-eval around one training run: `plan` before training (every input read and checked), then
`evaluate` on the saved model: the base model and the trained one on the same inputs, the adapter check,
eval_results.json, the predictions file and the model card section."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aitraining.errors import AitrainingError, DataError
from aitraining.features.evaluation import report
from aitraining.features.evaluation.benchmarks import Item, load_benchmarks
from aitraining.features.evaluation.checks import GENERATION_METRICS, chosen_metrics
from aitraining.features.evaluation.data import EvalRows, load_rows

if TYPE_CHECKING:
    from logging import Logger

    from aitraining.features.evaluation.harness import Inputs, ModelResult
    from aitraining.tasks.llm.params import LLMParams

RESULTS_FILE = "eval_results.json"
PREDICTIONS_FILE = "eval_predictions.jsonl"


class AdapterNotApplied(AitrainingError):
    """The trained model scores exactly like the base model: its LoRA adapter was never applied."""


@dataclass
class Plan:
    metrics: list[str]
    rows: EvalRows | None
    benchmarks: dict[str, list[Item]] = field(default_factory=dict)


def plan(params: LLMParams, logger: Logger, data: Any = None) -> Plan:
    """Read and check the evaluation rows and benchmark files before any training happens."""
    metrics = chosen_metrics(params)
    rows = load_rows(params, logger, data) if metrics else None
    if rows is not None and any(m in GENERATION_METRICS for m in metrics):
        plain = sum(e.prompt is None for e in rows.examples)
        if plain:
            raise DataError(
                f"--eval-metrics {','.join(m for m in metrics if m in GENERATION_METRICS)} compare generations with "
                f"reference answers, but {plain} evaluation rows of {rows.source} are plain text (no prompt/answer "
                "split). Use prompt/completion or chat data, or keep to perplexity."
            )
    if "bertscore" in metrics and params.eval_bertscore_model:
        from aitraining.features.evaluation.bertscore import check_encoder

        check_encoder(params.eval_bertscore_model)
    benchmarks = load_benchmarks(params.eval_benchmark) if params.eval_benchmark else {}
    what = [f"metrics {', '.join(metrics)} on {rows.source}" if rows else ""]
    what += [f"benchmark {name} ({len(items)} items)" for name, items in benchmarks.items()]
    logger.info("Enhanced evaluation after training: " + "; ".join(w for w in what if w))
    return Plan(metrics, rows, benchmarks)


def evaluate(plan: Plan, params: LLMParams, project: Path, logger: Logger) -> tuple[dict[str, Any], str]:
    """Both models evaluated; returns (the results written to eval_results.json, the model card section)."""
    from aitraining.engine.predict import torch_device
    from aitraining.features.evaluation.harness import build_inputs
    from aitraining.tasks.llm.inference import prompt_tokenizer

    tokenizer = prompt_tokenizer(project, logger)  # the trained tokenizer and prompt rule, for both models
    examples = plan.rows.examples if plan.rows else []
    inputs = build_inputs(params, plan.metrics, examples, plan.benchmarks, tokenizer)
    device = torch_device()
    encoder = None
    if "bertscore" in plan.metrics and params.eval_bertscore_model:
        from aitraining.features.evaluation.bertscore import load_encoder

        encoder = load_encoder(params.eval_bertscore_model)
    logger.info(f"Enhanced evaluation: base model {params.model}")
    base, base_probe = run_one(lambda: load_base(params, device), tokenizer, params, inputs, encoder)
    logger.info(f"Enhanced evaluation: trained model {project}")
    trained, trained_probe = run_one(lambda: load_after(project, params, device), tokenizer, params, inputs, encoder)
    adapter = check_adapter_applied(base_probe, trained_probe) if params.peft else None
    results = report.results(params, plan, base, trained, adapter, tokenizer)
    (project / RESULTS_FILE).write_text(report.as_json(results))
    if params.eval_save_predictions and base.predictions:
        write_predictions(project / PREDICTIONS_FILE, examples, base, trained)
    for line in report.summary_lines(results):
        logger.info(line)
    return results, report.card_section(results)


def load_base(params: LLMParams, device: str) -> Any:
    from aitraining.features.evaluation.models import load_causal_lm

    return load_causal_lm(params.model or "", device)


def load_after(project: Path, params: LLMParams, device: str) -> Any:
    from aitraining.features.evaluation.models import load_trained

    return load_trained(project, params.model or "", device)


def run_one(load: Any, tokenizer: Any, params: LLMParams, inputs: Inputs, encoder: Any) -> tuple[ModelResult, Any]:
    """Load one model, evaluate it, keep the first batch's logits, free it."""
    from aitraining.features.evaluation.harness import evaluate_model, probe_logits
    from aitraining.features.evaluation.models import release

    model = load()
    try:
        return evaluate_model(model, tokenizer, params, inputs, encoder), probe_logits(model, tokenizer, params, inputs)
    finally:
        del model
        release()


def check_adapter_applied(base_logits: Any, trained_logits: Any) -> dict[str, Any]:
    """Refuse to report when the trained model's logits equal the base model's on the first batch."""
    import torch

    difference = float((base_logits - trained_logits).abs().max()) if base_logits.numel() else 0.0
    if base_logits.shape == trained_logits.shape and torch.allclose(base_logits, trained_logits):
        raise AdapterNotApplied(
            "Enhanced evaluation refused to report: with --peft the trained model's logits equal the base model's "
            f"on the first evaluation batch (largest difference {difference:.2e}), so the LoRA adapter was not "
            "applied (or never moved from its zero initialisation). The numbers would describe the base model. "
            "Check that the project folder holds the adapter or the merged model, and that training ran steps "
            "with a non-zero learning rate (a run whose every step falls in the warmup trains at rate 0)."
        )
    return {"passed": True, "max_abs_logit_difference": difference}


def write_predictions(path: Path, examples: list[Any], base: ModelResult, trained: ModelResult) -> None:
    from aitraining.engine.predict import write_jsonl

    rows = [
        {"input": e.shown_input(), "prediction": t, "reference": e.reference, "base_prediction": b}
        for e, t, b in zip(examples, trained.predictions, base.predictions, strict=True)
    ]
    write_jsonl(path, rows)
