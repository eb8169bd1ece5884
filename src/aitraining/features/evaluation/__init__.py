"""Enhanced evaluation (`--use-enhanced-eval`): after training, the base model and the trained one are evaluated
on the same inputs and both are reported with the difference.

- `checks`: what applies to which trainer, metric names; before anything loads (light imports).
- `data`, `benchmarks`: the evaluation rows (through the trainer's own loader) and local benchmark files.
- `encode`, `loglik`, `scoring`: token ids under the prompt rule, continuation log-likelihoods, perplexity and
  lm-evaluation-harness style multiple-choice accuracy.
- `generation`, `text_metrics`, `bertscore`: greedy generations and the metrics comparing them with references.
- `models`, `harness`, `run`, `report`: loading the two models, evaluating one, the whole run, the outputs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from logging import Logger
    from pathlib import Path

    from aitraining.features.evaluation.run import Plan
    from aitraining.tasks.llm.params import LLMParams


def check(params: LLMParams) -> None:
    """Parameter checks (called from LLMParams.check when --use-enhanced-eval is on)."""
    from aitraining.features.evaluation.checks import check_eval_params

    check_eval_params(params)


def plan(params: LLMParams, logger: Logger) -> Plan:
    """Before training: read and check the evaluation rows and the benchmark files."""
    from aitraining.features.evaluation.run import plan as make_plan

    return make_plan(params, logger)


def evaluate(plan: Plan, params: LLMParams, project: Path, logger: Logger) -> tuple[dict[str, Any], str]:
    """After saving: (results, as in eval_results.json; the model card's evaluation section)."""
    from aitraining.features.evaluation.run import evaluate as run_evaluation

    return run_evaluation(plan, params, project, logger)
