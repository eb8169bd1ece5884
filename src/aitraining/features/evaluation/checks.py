"""What --use-enhanced-eval can do for each trainer, checked before anything loads (light imports only).

| trainer      | perplexity           | bleu/rouge/exact_match/f1/bertscore | benchmarks |
|--------------|----------------------|-------------------------------------|------------|
| generic      | yes (documents)      | no: plain text has no references    | yes        |
| sft          | yes                  | prompt/completion or chat data      | yes        |
| dpo, orpo    | yes (chosen answers) | yes (chosen answer is the reference)| yes        |
| ppo          | no: prompts only     | no: prompts only, no references     | yes        |
| reward       | no                   | no                                  | no         |

The reward trainer saves a scorer (a sequence classifier): it neither generates text nor assigns
likelihoods to it, so --use-enhanced-eval is an error there (its pairwise accuracy is eval_accuracy).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from aitraining.errors import ParamError
from aitraining.params.crosscutting import EVAL_METRIC_NAMES
from aitraining.suggest import did_you_mean

if TYPE_CHECKING:
    from aitraining.tasks.llm.params import LLMParams

GENERATION_METRICS = ("bleu", "rouge", "exact_match", "f1", "bertscore")
DEFAULT_METRICS = {"ppo": ()}  # every other trainer: perplexity
REWARD = (
    "--use-enhanced-eval does not apply to --trainer reward: a reward model is a scorer (one number per text); it "
    "cannot generate text or assign likelihoods, so neither the metrics nor the benchmarks can run on it. Its "
    "pairwise accuracy on the validation split is already reported as eval_accuracy. Drop --use-enhanced-eval."
)


def chosen_metrics(params: LLMParams) -> list[str]:
    """--eval-metrics in order, without repeats; the trainer's default when unset."""
    if params.eval_metrics is None:
        return list(DEFAULT_METRICS.get(params.canonical_trainer(), ("perplexity",)))
    return list(dict.fromkeys(m.strip() for m in params.eval_metrics if m.strip()))


def check_eval_params(params: LLMParams) -> None:
    trainer = params.canonical_trainer()
    if trainer == "reward":
        raise ParamError(REWARD)
    metrics = chosen_metrics(params)
    for name in metrics:
        if name not in EVAL_METRIC_NAMES:
            raise ParamError(
                f"--eval-metrics: unknown metric '{name}'.{did_you_mean(name, EVAL_METRIC_NAMES)} "
                f"Available: {', '.join(EVAL_METRIC_NAMES)}."
            )
    check_trainer_metrics(trainer, metrics)
    check_bertscore(params, metrics)
    if params.eval_save_predictions and not any(m in GENERATION_METRICS for m in metrics):
        raise ParamError(
            "--eval-save-predictions saves generated answers, but no generation metric is in --eval-metrics "
            f"({', '.join(metrics) or 'none'}): add one of {', '.join(GENERATION_METRICS[:4])}, or drop the flag."
        )
    if params.eval_benchmark_chat_template and (trainer == "generic" or params.chat_template == "none"):
        raise ParamError(
            "--eval-benchmark-chat-template needs the chat template the model trains with, but this run trains "
            "on raw text (--trainer generic or --chat-template none). Leave it off."
        )
    if not metrics and not params.eval_benchmark:
        raise ParamError(
            f"--use-enhanced-eval with --trainer {trainer} has nothing to evaluate: pass --eval-benchmark "
            "(a local .jsonl file or folder)" + ("." if trainer == "ppo" else " or --eval-metrics.")
        )
    if metrics and not params.eval_dataset_path and not params.valid_split:
        raise ParamError(
            f"--eval-metrics {','.join(metrics)} needs evaluation rows: pass --valid-split (a validation split of "
            "--data-path) or --eval-dataset-path (a separate dataset in the training data's format)."
        )
    if params.eval_benchmark:
        from aitraining.features.evaluation.benchmarks import benchmark_files

        benchmark_files(params.eval_benchmark)  # a missing path or a named benchmark: where to put the files


def check_trainer_metrics(trainer: str, metrics: list[str]) -> None:
    generation = [m for m in metrics if m in GENERATION_METRICS]
    if trainer == "ppo" and metrics:
        raise ParamError(
            f"--eval-metrics {','.join(metrics)} does not apply to --trainer ppo: its data holds prompts only, with "
            "no reference answers to score or compare with. Use --eval-benchmark to compare the policy before and "
            "after PPO."
        )
    if trainer == "generic" and generation:
        raise ParamError(
            f"--eval-metrics {','.join(generation)} compare generations with reference answers, but --trainer "
            "generic trains on plain text, which has none. Use perplexity (and --eval-benchmark), or train with "
            "--trainer sft on prompt/completion or chat data."
        )


def check_bertscore(params: LLMParams, metrics: list[str]) -> None:
    if "bertscore" in metrics and not params.eval_bertscore_model:
        raise ParamError(
            "--eval-metrics bertscore needs --eval-bertscore-model: a local encoder folder (e.g. a BERT or MiniLM "
            "checkpoint saved with save_pretrained). Nothing is downloaded."
        )
    if params.eval_bertscore_model and "bertscore" not in metrics:
        raise ParamError(
            "--eval-bertscore-model is set but bertscore is not in --eval-metrics: add it, or drop the model."
        )
    if params.eval_bertscore_model and not Path(params.eval_bertscore_model).is_dir():
        raise ParamError(f"--eval-bertscore-model {params.eval_bertscore_model}: no such local folder.")
