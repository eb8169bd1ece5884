"""Parameter groups used by several (not all) commands: LoRA, distillation, sweeps, evaluation."""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import field_validator

from aitraining.errors import ParamError
from aitraining.params.fields import ParamsBase, param
from aitraining.params.groups import DISTILL, EVAL, PEFT, SWEEP

DISTILL_TRAINERS = ("generic", "sft", "dpo", "orpo")


class PeftParams(ParamsBase):
    peft: bool = param(False, "Train a LoRA adapter instead of all weights.", group=PEFT)
    lora_r: int = param(16, "LoRA rank.", group=PEFT, requires="peft", ge=1)
    lora_alpha: int = param(32, "LoRA alpha (scaling).", group=PEFT, requires="peft", ge=1)
    lora_dropout: float = param(0.05, "LoRA dropout.", group=PEFT, requires="peft", ge=0, lt=1)
    target_modules: str = param(
        "all-linear",
        "Modules to adapt: 'all-linear', a comma-separated list such as q_proj,v_proj, or a JSON list.",
        group=PEFT,
        requires="peft",
    )
    merge_adapter: bool = param(
        True,
        "With --peft, save the adapter merged into the base model at the project root (the adapter goes to "
        "<project>/adapter); off: the root holds the adapter only.",
        group=PEFT,
        requires="peft",
    )
    quantization: Literal["none", "int4", "int8"] = param(
        "none", "Load the base model quantized with bitsandbytes (needs a CUDA GPU).", group=PEFT
    )

    @field_validator("target_modules", mode="before")
    @classmethod
    def _modules_as_text(cls, value: Any) -> Any:
        """Accept a YAML/JSON list as well as 'a,b' text; stored as comma-separated text."""
        if isinstance(value, str) and value.strip().startswith("["):
            try:
                value = json.loads(value)
            except json.JSONDecodeError:
                raise ValueError("target_modules looks like a JSON list but is not valid JSON") from None
        if isinstance(value, list):
            return ",".join(str(v).strip() for v in value)
        return value

    def check_peft(self) -> None:
        """Quantized weights train only through an adapter (called from the task's check())."""
        if self.quantization != "none" and not self.peft:
            raise ParamError(
                f"--quantization {self.quantization} trains through a LoRA adapter: add --peft "
                "(quantized weights cannot be fine-tuned directly)."
            )


class DistillParams(ParamsBase):
    use_distillation: bool = param(
        False, "Add knowledge distillation from --teacher-model to the chosen trainer.", group=DISTILL
    )
    teacher_model: str | None = param(
        None,
        "Teacher for distillation: a local folder or Hub id of a causal LM that uses the student's tokenizer.",
        group=DISTILL,
        trainers=DISTILL_TRAINERS,
        requires="use_distillation",
    )
    teacher_prompt_template: str | None = param(
        None,
        "Prompt template for the teacher, with {input} exactly once: {input} is the prompt as the data renders "
        "it (sft: the tokens before the first trained token, chat template included; dpo/orpo: the prompt "
        "column). The KL aligns the response tokens of the teacher's and the student's renderings, so e.g. a "
        "system prompt only the teacher sees is distilled in. Unset: the teacher sees {input} as it is. Not for "
        "--trainer generic (no prompt).",
        group=DISTILL,
        trainers=DISTILL_TRAINERS,
        requires="use_distillation",
    )
    student_prompt_template: str = param(
        "{input}",
        "Prompt template for the student, with {input} exactly once (same {input} as "
        "--teacher-prompt-template). It renders the student's own training and evaluation data too, so the "
        "trainer's loss and the KL see the same student prompt (e.g. a short instruction where the teacher "
        "gets a long one); use the same rendering when prompting the trained model. Not for --trainer generic.",
        group=DISTILL,
        trainers=DISTILL_TRAINERS,
        requires="use_distillation",
    )
    distill_temperature: float = param(
        3.0,
        "Softmax temperature for distillation.",
        group=DISTILL,
        trainers=DISTILL_TRAINERS,
        requires="use_distillation",
        gt=0,
    )
    distill_alpha: float = param(
        0.7,
        "Weight of the distillation loss against the task loss.",
        group=DISTILL,
        trainers=DISTILL_TRAINERS,
        requires="use_distillation",
        ge=0,
        le=1,
    )
    distill_top_k: int = param(
        0,
        "Compare only the teacher's k most likely tokens per position (bounds memory for large vocabularies; "
        "the kept teacher probability mass is reported). 0: the full vocabulary.",
        group=DISTILL,
        trainers=DISTILL_TRAINERS,
        requires="use_distillation",
        ge=0,
    )


class SweepParams(ParamsBase):
    use_sweep: bool = param(
        False,
        "Run a hyperparameter search instead of a single training: each trial trains in a fresh process in "
        "<project>/trials/trial-NNN; the table, plot, best_params.yaml and the best model go to the project folder.",
        group=SWEEP,
    )
    sweep_backend: Literal["optuna", "random", "grid"] = param(
        "optuna",
        "Search backend: optuna (TPE sampler, with median pruning on the evaluations), random, or grid (every "
        "combination of list / int / uniform-with-step values).",
        group=SWEEP,
        requires="use_sweep",
    )
    sweep_n_trials: int = param(
        10,
        "Number of trials (finished ones count on resume; a grid runs at most its number of points).",
        group=SWEEP,
        requires="use_sweep",
        ge=1,
    )
    sweep_metric: str = param(
        "eval_loss",
        "Metric to optimise, as metrics.json names it (eval_loss, eval_f1, train_loss, ...); checked against "
        "what the command and trainer report before the first trial.",
        group=SWEEP,
        requires="use_sweep",
    )
    sweep_direction: Literal["minimize", "maximize"] = param(
        "minimize", "Whether to minimise or maximise the metric.", group=SWEEP, requires="use_sweep"
    )
    sweep_params: dict[str, Any] | None = param(
        None,
        "Search space as JSON (or a YAML mapping in a config file), keyed by parameter name: a list is "
        'categorical, e.g. {"lora_r": [8, 16], "lr": {"type": "loguniform", "low": 1e-5, "high": 1e-3}, '
        '"batch_size": {"type": "int", "low": 2, "high": 8, "step": 2}}; types: loguniform, uniform (optional '
        'step), int (optional step), categorical (choices). {"low": .., "high": .., "log": true} is read as '
        "loguniform.",
        group=SWEEP,
        requires="use_sweep",
    )
    sweep_storage: str | None = param(
        None,
        "Where the study is stored: a SQLAlchemy URL such as postgresql://user@host/db (needs psycopg) for "
        "workers on several machines; default: sqlite:///<project>/sweep.db. Workers running the same command "
        "with the same storage share the trials.",
        group=SWEEP,
        requires="use_sweep",
    )
    sweep_study_name: str | None = param(
        None,
        "Study name inside the storage (default: derived from the project folder's name).",
        group=SWEEP,
        requires="use_sweep",
    )


EVAL_METRIC_NAMES = ("perplexity", "bleu", "rouge", "exact_match", "f1", "bertscore")  # features/evaluation


class EvalParams(ParamsBase):
    use_enhanced_eval: bool = param(
        False,
        "After training, evaluate the base model (--model) and the trained one on the same metrics and "
        "benchmarks, and report both and the delta (eval_results.json, metrics.json, the model card).",
        group=EVAL,
    )
    eval_metrics: list[str] | None = param(
        None,
        f"Metrics, comma-separated or a JSON list, from: {', '.join(EVAL_METRIC_NAMES)}. perplexity is over the "
        "tokens that carry the training loss; the others compare greedy generations with the references "
        "(prompt/completion, chat or preference data). Default: perplexity (none for ppo).",
        group=EVAL,
        requires="use_enhanced_eval",
    )
    eval_dataset_path: str | None = param(
        None,
        "Separate evaluation dataset, same columns and format as the training data (its --train-split split). "
        "Default: the validation split (--valid-split).",
        group=EVAL,
        requires="use_enhanced_eval",
    )
    eval_batch_size: int = param(8, "Evaluation batch size.", group=EVAL, requires="use_enhanced_eval", ge=1)
    eval_save_predictions: bool = param(
        False,
        "Write <project>/eval_predictions.jsonl with each input, the trained and base models' predictions and the "
        "reference.",
        group=EVAL,
        requires="use_enhanced_eval",
    )
    eval_benchmark: str | None = param(
        None,
        'Multiple-choice benchmark from local files: a .jsonl file or a folder of them, rows {"question", '
        '"choices", "answer"} (HellaSwag, ARC and MMLU field names recognised), scored like '
        "lm-evaluation-harness (acc, acc_norm).",
        group=EVAL,
        requires="use_enhanced_eval",
    )
    eval_benchmark_chat_template: bool = param(
        False,
        "Render benchmark questions with the chat template (a user turn; the choice is the reply). Off, as in "
        "lm-evaluation-harness: 'Question: ...\\nAnswer:' followed by ' <choice>'.",
        group=EVAL,
        requires="use_enhanced_eval",
    )
    eval_max_new_tokens: int = param(
        64,
        "Tokens generated (greedy) per prompt for bleu, rouge, exact_match, f1 and bertscore.",
        group=EVAL,
        requires="use_enhanced_eval",
        ge=1,
    )
    eval_bertscore_model: str | None = param(
        None,
        "Local encoder folder (e.g. a BERT or MiniLM checkpoint) that bertscore embeds with; needed for the "
        "bertscore metric (computed with transformers: greedy cosine matching, last layer, idf off).",
        group=EVAL,
        requires="use_enhanced_eval",
    )

    @field_validator("eval_metrics", mode="before")
    @classmethod
    def _metrics_as_list(cls, value: Any) -> Any:
        """YAML may give 'perplexity,bleu' or '["bleu"]' as text; the CLI already splits them."""
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                try:
                    return json.loads(text)
                except json.JSONDecodeError:
                    raise ValueError("eval_metrics looks like a JSON list but is not valid JSON") from None
            return [part.strip() for part in text.split(",") if part.strip()]
        return value
