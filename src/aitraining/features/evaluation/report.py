"""eval_results.json, the log summary and the model card section: base, trained and their difference."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aitraining.features.evaluation.harness import ModelResult
    from aitraining.features.evaluation.run import Plan
    from aitraining.tasks.llm.params import LLMParams

SCALES = {
    "perplexity": "exp(mean NLL per scored token); lower is better",
    "bleu": "sacrebleu corpus BLEU, 0-100",
    "rouge": "rouge-score F-measure (rouge1, rouge2, rougeL), 0-1, no stemming",
    "exact_match": "SQuAD v1.1 normalised exact match, 0-1",
    "f1": "SQuAD v1.1 token F1, 0-1",
    "bertscore": "greedy-matching BERTScore with the local encoder's last layer, idf off, no rescaling, 0-1",
}

NOT_COMPARED = ("n", "eval_tokens")  # counts, the same for both models


def delta(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    return {
        k: after[k] - v
        for k, v in before.items()
        if isinstance(v, (int, float)) and k not in NOT_COMPARED and k in after
    }


def results(
    params: LLMParams, plan: Plan, base: ModelResult, trained: ModelResult, adapter: dict | None, tokenizer: Any
) -> dict[str, Any]:
    benchmarks = {
        name: {
            "base": base.benchmarks[name],
            "trained": trained.benchmarks[name],
            "delta": delta(base.benchmarks[name], trained.benchmarks[name]),
        }
        for name in base.benchmarks
    }
    return {
        "base_model": params.model,
        "trained_model": str(params.project_name),
        "metrics": {"base": base.metrics, "trained": trained.metrics, "delta": delta(base.metrics, trained.metrics)},
        "benchmarks": benchmarks,
        "adapter_check": adapter,
        "settings": settings(params, plan, tokenizer),
    }


def settings(params: LLMParams, plan: Plan, tokenizer: Any) -> dict[str, Any]:
    return {
        "metrics": plan.metrics,
        "metric_definitions": {m: SCALES[m] for m in plan.metrics},
        "eval_data": plan.rows.source if plan.rows else None,
        "eval_batch_size": params.eval_batch_size,
        "generation": {"decoding": "greedy", "max_new_tokens": params.eval_max_new_tokens},
        "prompt_rule": "chat template" if getattr(tokenizer, "chat_template", None) else "raw text",
        "benchmark_source": params.eval_benchmark,
        "benchmark_chat_template": params.eval_benchmark_chat_template,
        "benchmark_scoring": "lm-evaluation-harness multiple_choice: acc = argmax summed log-likelihood of "
        "' '+choice; acc_norm = argmax log-likelihood / len(choice) in characters",
        "bertscore_model": params.eval_bertscore_model,
        "tokenizer": "the trained model's, for both models",
    }


def as_json(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"


def _fmt(value: Any) -> str:
    return f"{value:.4f}" if isinstance(value, float) else str(value)


def _signed(value: Any) -> str:
    return f"{value:+.4f}" if isinstance(value, float) else f"{value:+}"


def rows(data: dict[str, Any]) -> list[tuple[str, Any, Any, Any]]:
    """(what, base, trained, delta) for every number reported."""
    out = []
    metrics = data["metrics"]
    for key in metrics["trained"]:
        if key in metrics["delta"]:
            out.append((key, metrics["base"][key], metrics["trained"][key], metrics["delta"][key]))
    for name, numbers in data["benchmarks"].items():
        for key in ("acc", "acc_norm"):
            out.append(
                (
                    f"{name} {key} (n={numbers['trained']['n']})",
                    numbers["base"][key],
                    numbers["trained"][key],
                    numbers["delta"][key],
                )
            )
    return out


def summary_lines(data: dict[str, Any]) -> list[str]:
    return [f"eval {what}: base {_fmt(b)} -> trained {_fmt(t)} ({_signed(d)})" for what, b, t, d in rows(data)]


def card_section(data: dict[str, Any]) -> str:
    s = data["settings"]
    lines = [
        "## Evaluation",
        "",
        f"The base model (`{data['base_model']}`) and the trained model, on the same inputs "
        f"(`eval_results.json` holds everything).",
        "",
        "| | base | trained | delta |",
        "|---|---|---|---|",
    ]
    lines += [f"| {what} | {_fmt(b)} | {_fmt(t)} | {_signed(d)} |" for what, b, t, d in rows(data)]
    lines.append("")
    if s["eval_data"]:
        lines.append(f"- **Data:** {s['eval_data']}")
    if s["benchmark_source"]:
        chat = "with the chat template" if s["benchmark_chat_template"] else "without a chat template"
        lines.append(f"- **Benchmarks:** `{s['benchmark_source']}`, {chat}; {s['benchmark_scoring']}")
    if any(m in s["metrics"] for m in ("bleu", "rouge", "exact_match", "f1", "bertscore")):
        lines.append(f"- **Generation:** greedy, at most {s['generation']['max_new_tokens']} new tokens")
    lines += [f"- **{m}:** {SCALES[m]}" for m in s["metrics"]]
    if data["adapter_check"]:
        diff = data["adapter_check"]["max_abs_logit_difference"]
        lines.append(f"- **Adapter check:** the trained logits differ from the base model's (max {diff:.3g})")
    return "\n".join([*lines, ""])
