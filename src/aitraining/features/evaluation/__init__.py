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

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aitraining.errors import AitrainingError

if TYPE_CHECKING:
    from logging import Logger
    from pathlib import Path

    from aitraining.engine.runner import RunResult
    from aitraining.features.evaluation.run import Plan
    from aitraining.tasks.llm.params import LLMParams


def check(params: LLMParams) -> None:
    """Parameter checks (called from LLMParams.check when --use-enhanced-eval is on)."""
    from aitraining.features.evaluation.checks import check_eval_params

    check_eval_params(params)


def plan(params: LLMParams, logger: Logger, data: Any = None) -> Plan:
    """Before training: read and check the evaluation rows and the benchmark files. `data`: what the trainer
    module's `load_data` already read for training (its validation split is used, not read again)."""
    from aitraining.features.evaluation.run import plan as make_plan

    return make_plan(params, logger, data)


def evaluate(plan: Plan, params: LLMParams, project: Path, logger: Logger) -> Outcome:
    """After saving: the results (as in eval_results.json) and the card section, or the error that stopped the
    evaluation (the run still writes metrics.json and the card, then exits with it)."""
    from aitraining.features.evaluation.run import evaluate as run_evaluation

    try:
        results, section = run_evaluation(plan, params, project, logger)
    except AitrainingError as exc:
        return Outcome(failure=exc)
    return Outcome(results, section)


@dataclass
class Outcome:
    results: dict[str, Any] | None = None
    section: str | None = None
    failure: AitrainingError | None = None

    def add_to(self, result: RunResult) -> None:
        """Into the run's metrics.json (`enhanced_eval`), card section and notes, or its failure."""
        if self.results is not None:
            result.metrics["enhanced_eval"] = self.results
        if self.section:
            result.card_sections.append(self.section)
        if self.failure is not None:
            result.notes.append(f"Enhanced evaluation did not report: {self.failure}")
            result.failure = self.failure
