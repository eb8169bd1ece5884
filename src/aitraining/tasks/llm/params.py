"""Parameters of `aitraining llm`: the shared groups plus the LLM, preference and PPO groups."""

from __future__ import annotations

from typing import Any, Literal

from aitraining.errors import ParamError
from aitraining.params.crosscutting import DistillParams, EvalParams, PeftParams, SweepParams
from aitraining.params.fields import Ignored, ignored_in, param
from aitraining.params.flags import flag_for
from aitraining.params.groups import CommonParams, LogBackend, Optimizer, Strategy
from aitraining.tasks.llm.trainers import TRAINER_ALIASES, TRAINER_CHOICES

LLM = "LLM"
PREF = "DPO / ORPO / reward"
PPO = "PPO (RL)"
INFER = "Inference (with --inference)"
CONVERT = "Dataset conversion (with --auto-convert-dataset)"
PREVIEW = "Data preview (with --preview-data)"
CONVERT_TRAINERS = ("sft", "dpo", "orpo", "reward")

Trainer = Literal[TRAINER_CHOICES]  # type: ignore[valid-type]
PPO_OPTIMIZERS = ("adamw_torch", "adamw_torch_fused")  # what tasks/llm/ppo/optim.py builds

PPO_EXAMPLE = (
    "Train a reward model first, then point PPO at it:\n"
    "  aitraining llm --train --trainer reward --data-path preference_data --project-name reward-model\n"
    "  aitraining llm --train --trainer ppo --rl-reward-model-path reward-model --data-path prompts ..."
)


class LLMParams(EvalParams, SweepParams, DistillParams, PeftParams, CommonParams):
    trainer: Trainer = param("generic", "Training method ('default' is an alias of 'generic').", group=LLM)

    # Shared flags that a trainer accepts but has no use for: setting one warns (an error with --strict).
    valid_split: str | None = ignored_in(CommonParams, "valid_split", {"ppo": "PPO is judged by its reward"})
    gradient_accumulation: int = ignored_in(
        CommonParams, "gradient_accumulation", {"ppo": "each PPO minibatch is one optimiser step"}
    )
    optimizer: Optimizer = ignored_in(
        CommonParams, "optimizer", {"ppo": Ignored("PPO trains with torch AdamW", unless=PPO_OPTIMIZERS)}
    )
    auto_find_batch_size: bool = ignored_in(
        CommonParams,
        "auto_find_batch_size",
        {"ppo": "PPO batch sizes are --batch-size (rollouts), --rl-chunk-size and --rl-mini-batch-size"},
    )
    disable_gradient_checkpointing: bool = ignored_in(
        CommonParams, "disable_gradient_checkpointing", {"ppo": "PPO does not use gradient checkpointing"}
    )
    log: LogBackend = ignored_in(
        CommonParams,
        "log",
        {
            "ppo": Ignored(
                "wandb is not wired for PPO yet; metrics go to the log, metrics.json and tensorboard",
                unless=("none", "tensorboard"),
            )
        },
    )
    logging_steps: int = ignored_in(CommonParams, "logging_steps", {"ppo": "PPO logs every step"})
    eval_strategy: Strategy = ignored_in(
        CommonParams, "eval_strategy", {"ppo": "PPO is judged by its reward, logged every step"}
    )
    keep_best_model: bool = ignored_in(
        CommonParams, "keep_best_model", {"ppo": "PPO has no validation split to pick a best checkpoint by"}
    )
    lora_dropout: float = ignored_in(
        PeftParams,
        "lora_dropout",
        {"ppo": "PPO runs the policy in eval mode, so the ratio of new to old policy starts at exactly 1"},
    )
    text_column: str = param(
        "text",
        "Text column (sft: text, prompt-completion or chat 'messages'; dpo/orpo/reward: chosen).",
        group=LLM,
    )
    block_size: int = param(
        1024, "Tokens per training sequence (generic: packed block length; sft: maximum length).", group=LLM, ge=1
    )
    model_max_length: int = param(2048, "Upper bound on sequence length; block_size is capped to it.", group=LLM, ge=1)
    add_eos_token: bool = param(
        True, "Append the EOS token to each document (generic).", group=LLM, trainers=("generic",)
    )
    chat_template: str | None = param(
        None,
        "Chat template for chat data: 'tokenizer' (the model's own), 'none', or a named template "
        "(chatml, zephyr, llama3, mistral, gemma, qwen, phi, alpaca, vicuna), saved with the trained "
        "tokenizer. Default: the tokenizer's when it has one.",
        group=LLM,
        trainers=("sft", "dpo", "orpo", "reward", "ppo"),
    )
    packing: bool = param(False, "Pack several examples into each sequence (sft).", group=LLM, trainers=("sft",))
    assistant_only_loss: bool = param(
        True,
        "Compute the loss on assistant replies (chat data) or completions (prompt-completion data) only; "
        "--assistant-only-loss=False trains on the prompts and user turns too.",
        group=LLM,
        trainers=("sft",),
    )
    use_flash_attention_2: bool = param(False, "Use FlashAttention 2 (CUDA only).", group=LLM)

    auto_convert_dataset: bool = param(
        False,
        "Detect the dataset format (chat messages, ShareGPT, alpaca, question/answer pairs, preference pairs, "
        "plain text), convert it to what the trainer reads, and print what was detected and the column "
        "mapping. The converted data is saved in the project folder (converted_data/).",
        group=CONVERT,
        trainers=CONVERT_TRAINERS,
    )
    conversation_extension: int = param(
        1,
        "Merge every N consecutive rows into one multi-turn conversation.",
        group=CONVERT,
        trainers=("sft",),
        requires="auto_convert_dataset",
        ge=1,
    )
    system_column: str | None = param(
        None,
        "Column holding the system prompt (default: detected, e.g. 'system').",
        group=CONVERT,
        trainers=CONVERT_TRAINERS,
        requires="auto_convert_dataset",
    )
    user_column: str | None = param(
        None,
        "Column holding the user message (default: detected, e.g. 'instruction', 'question', 'prompt').",
        group=CONVERT,
        trainers=("sft",),
        requires="auto_convert_dataset",
    )
    assistant_column: str | None = param(
        None,
        "Column holding the assistant reply (default: detected, e.g. 'output', 'answer', 'completion').",
        group=CONVERT,
        trainers=("sft",),
        requires="auto_convert_dataset",
    )
    preview_samples: int = param(
        3, "Rows --preview-data renders token by token.", group=PREVIEW, requires="preview_data", ge=1
    )

    model_ref: str | None = param(
        None,
        "Reference model for DPO (default: a frozen copy of the base model).",
        group=PREF,
        trainers=("dpo", "orpo"),
        ignored_by={"orpo": "ORPO is reference-free; only --trainer dpo uses a reference model"},
    )
    dpo_beta: float = param(0.1, "DPO beta (strength of the KL constraint).", group=PREF, trainers=("dpo",), gt=0)
    max_prompt_length: int = param(
        128,
        "Longest prompt in tokens; longer prompts are cut from the left.",
        group=PREF,
        trainers=("dpo", "orpo"),
        ge=1,
    )
    max_completion_length: int | None = param(
        None,
        "Longest completion in tokens; longer ones are cut from the right.",
        group=PREF,
        trainers=("dpo", "orpo"),
        ge=1,
    )
    prompt_text_column: str | None = param(
        None, "Prompt column for preference data.", group=PREF, trainers=("dpo", "orpo", "reward")
    )
    rejected_text_column: str | None = param(
        None, "Rejected-answer column for preference data.", group=PREF, trainers=("dpo", "orpo", "reward")
    )

    rl_reward_model_path: str | None = param(
        None,
        "Reward model (a folder from --trainer reward) that scores PPO rollouts.",
        group=PPO,
        trainers=("ppo",),
    )
    rl_gamma: float = param(1.0, "Discount factor.", group=PPO, trainers=("ppo",), ge=0, le=1)
    rl_gae_lambda: float = param(0.95, "GAE lambda.", group=PPO, trainers=("ppo",), ge=0, le=1)
    rl_kl_coef: float = param(
        0.05, "Per-token KL penalty against the reference policy.", group=PPO, trainers=("ppo",), ge=0
    )
    rl_value_loss_coef: float = param(0.1, "Weight of the value loss.", group=PPO, trainers=("ppo",), ge=0)
    rl_clip_range: float = param(0.2, "PPO policy clip range.", group=PPO, trainers=("ppo",), gt=0)
    rl_num_ppo_epochs: int = param(4, "PPO epochs per rollout batch.", group=PPO, trainers=("ppo",), ge=1)
    rl_chunk_size: int = param(128, "Prompts per rollout batch.", group=PPO, trainers=("ppo",), ge=1)
    rl_mini_batch_size: int = param(8, "Mini-batch size for PPO updates.", group=PPO, trainers=("ppo",), ge=1)
    rl_value_clip_range: float = param(
        0.2, "Clip range of the value-function update.", group=PPO, trainers=("ppo",), gt=0
    )
    rl_max_new_tokens: int = param(32, "Tokens generated per rollout.", group=PPO, trainers=("ppo",), ge=1)
    rl_temperature: float = param(1.0, "Sampling temperature for rollouts.", group=PPO, trainers=("ppo",), gt=0)
    rl_top_k: int = param(0, "Top-k sampling for rollouts (0: off).", group=PPO, trainers=("ppo",), ge=0)
    rl_top_p: float = param(1.0, "Top-p (nucleus) sampling for rollouts.", group=PPO, trainers=("ppo",), gt=0, le=1)

    inference_prompts: str | None = param(
        None,
        "Prompts to answer: a .txt file (one per line), a .jsonl/.json/.csv file (its --text-column), "
        "or the prompt text itself.",
        group=INFER,
        requires="inference",
    )
    inference_max_new_tokens: int = param(
        128, "Tokens to generate per prompt.", group=INFER, requires="inference", ge=1
    )
    inference_temperature: float = param(
        0.0, "Sampling temperature; 0 means greedy decoding.", group=INFER, requires="inference", ge=0
    )
    inference_top_k: int = param(0, "Top-k sampling (0: off).", group=INFER, requires="inference", ge=0)
    inference_top_p: float = param(1.0, "Top-p sampling.", group=INFER, requires="inference", gt=0, le=1)

    # --- AutoTrain parameters the spec does not list (kept together: added for users arriving from AutoTrain)
    padding: Literal["left", "right"] | None = param(
        None,
        "Tokenizer padding side used in training and saved with the tokenizer (default: the tokenizer's own).",
        group=LLM,
    )
    unsloth: bool = param(
        False,
        "AutoTrain's Unsloth switch. aitraining does not use Unsloth; it trains with transformers/peft.",
        group=LLM,
        notice="aitraining does not use Unsloth; it trains with plain transformers/TRL/peft (for less memory use "
        "--peft with --quantization int4 on a CUDA GPU, for speed --mixed-precision bf16)",
    )

    def canonical_trainer(self) -> str:
        return TRAINER_ALIASES.get(self.trainer, self.trainer)

    def check(self) -> None:
        """Errors the spec requires before anything is loaded."""
        trainer = self.canonical_trainer()
        if trainer == "ppo" and not self.rl_reward_model_path:
            raise ParamError(f"--trainer ppo needs --rl-reward-model-path.\n{PPO_EXAMPLE}")
        if self.use_distillation and trainer in ("reward", "ppo"):
            raise ParamError(
                f"--use-distillation does not work with --trainer {trainer}: distillation applies to "
                "generic, sft, dpo and orpo. Drop --use-distillation or pick one of those trainers."
            )
        if self.use_distillation and not self.teacher_model:
            raise ParamError("--use-distillation needs --teacher-model (the model to distil from).")
        if trainer in ("dpo", "orpo", "reward") and not self.auto_convert_dataset:  # conversion detects them
            needed = (
                ("prompt_text_column", "rejected_text_column") if trainer != "reward" else ("rejected_text_column",)
            )
            missing = [f for f in needed if not getattr(self, f)]
            if missing:
                flags = " and ".join(flag_for(m) for m in missing)
                raise ParamError(
                    f"--trainer {trainer} needs preference data columns: pass {flags} "
                    "(and --text-column for the chosen answer), or --auto-convert-dataset to detect them."
                )
        if self.chat_template is not None:
            from aitraining.data.chat_templates import check_template_name

            check_template_name(self.chat_template)
        self.check_peft()
        if trainer == "ppo":
            self.check_ppo_schedule()
        if self.use_distillation:
            from aitraining.features.distillation.checks import check_distill_params

            check_distill_params(self)
        if self.use_enhanced_eval:
            from aitraining.features import evaluation

            evaluation.check(self)

    def feature_metrics(self) -> tuple[str, ...]:
        if not self.use_distillation:
            return ()
        from aitraining.features.distillation import kd_metrics

        return tuple(f"eval_{name}" for name in kd_metrics(self))

    def fingerprint_parts(self) -> dict[str, Any]:
        """With distillation, the teacher's files too: resuming with another teacher is refused."""
        if not self.use_distillation:
            return {}
        from aitraining.features.distillation import TEACHER_PART, teacher_fingerprint

        return {TEACHER_PART: teacher_fingerprint(self)}

    def single_process_reason(self) -> str | None:
        if self.canonical_trainer() == "ppo":
            return "--trainer ppo trains in one process for now (its rollout loop is not distributed)"
        return None

    def check_ppo_schedule(self) -> None:
        if self.scheduler == "reduce_lr_on_plateau":
            raise ParamError("--scheduler reduce_lr_on_plateau needs an eval metric, which PPO has not; pick another.")
