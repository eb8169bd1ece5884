"""The trainer subclass that adds the distillation term to whatever loss the trainer computes.

`make_distilling` swaps a built trainer's class for a subclass with `DistillMixin` in front, so the generic,
sft, dpo and orpo trainers need no special case. The mixin:
- runs the frozen teacher (no grad) and the student on the aligned sequences (`align`), compares the logits
  of the positions that carry the trainer's loss (`loss`), and returns
  alpha * T^2 * KL + (1 - alpha) * the trainer's own loss;
- keeps the KL term on the trainer's scale under gradient accumulation (like the trainer's own loss);
- logs `distill_loss` (T^2 * KL, averaged over the compared positions) and `task_loss` (the trainer's own
  loss, averaged over batches) separately, with an `eval_` prefix at evaluation, plus `distill_top_k_mass` with
  --distill-top-k; with several processes the sums are reduced over all of them before logging.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aitraining.features.distillation import KD_METRICS
from aitraining.features.distillation.align import align, loss_view, templates_for
from aitraining.features.distillation.loss import kd_loss

if TYPE_CHECKING:
    from logging import Logger

    from aitraining.tasks.llm.params import LLMParams


class DistillMixin:
    _kd_teacher: Any
    _kd_render: Any
    _kd_pad_id: int
    _kd_alpha: float
    _kd_temperature: float
    _kd_top_k: int
    _kd_sums: dict[str, dict[str, list[float]]]  # mode -> name -> [weighted sum, weight]
    _kd_seen: bool

    def _kd_term(self, model: Any, inputs: dict[str, Any]) -> tuple[Any, float | None, int]:
        import torch

        ids, attn, trained = loss_view(inputs)
        positions = inputs.get("position_ids") if "labels" in inputs and "attention_mask" not in inputs else None
        aligned = align(ids, attn, trained, self._kd_render, self._kd_pad_id, positions)
        if next(self._kd_teacher.parameters()).device != ids.device:
            self._kd_teacher.to(ids.device)
        with torch.no_grad():
            teacher_logits = self._kd_teacher(**aligned.teacher_inputs, use_cache=False).logits
        # The second forward goes through the unwrapped model: DDP allows one wrapped forward per backward, and
        # both forwards' gradients meet in the same parameters, which DDP's hooks then reduce once.
        accelerator = getattr(self, "accelerator", None)
        student = accelerator.unwrap_model(model) if accelerator is not None else model
        student_logits = student(**aligned.student_inputs, use_cache=False).logits
        kd, kept = kd_loss(
            student_logits[aligned.student_pos],
            teacher_logits[aligned.teacher_pos],
            self._kd_temperature,
            self._kd_top_k,
        )
        return kd, kept, len(aligned.student_pos[0])

    def _kd_ga_steps(self, num_items_in_batch: Any) -> int:
        """The Trainer leaves gradient accumulation to a loss normalised by `num_items_in_batch`; the KL is a
        per-batch mean, so it is divided by the accumulation steps in that case, as the trainer's loss is."""
        scaled = getattr(self, "loss_is_scaled_for_ga", None)
        if scaled is None:
            scaled = getattr(self, "model_accepts_loss_kwargs", False) and num_items_in_batch is not None
        return int(getattr(self, "current_gradient_accumulation_steps", 1)) if scaled else 1

    def _kd_combine(self, model: Any, inputs: dict[str, Any], own: Any, steps: int) -> Any:
        kd, kept, positions = self._kd_term(model, inputs)
        sums = self._kd_sums["train" if model.training else "eval"]
        for name, value, weight in (
            ("distill_loss", float(kd.detach()), positions),
            ("task_loss", float(own.detach()) * steps, 1),
            ("distill_top_k_mass", kept, positions),
        ):
            if value is not None:
                sums[name][0] += value * weight
                sums[name][1] += weight
        self._kd_seen = True
        return self._kd_alpha * kd / steps + (1 - self._kd_alpha) * own

    def compute_loss(
        self, model: Any, inputs: dict[str, Any], return_outputs: bool = False, num_items_in_batch: Any = None
    ) -> Any:
        parent: Any = super()  # the trainer class this mixin is combined with
        result = parent.compute_loss(
            model, inputs, return_outputs=return_outputs, num_items_in_batch=num_items_in_batch
        )
        own, outputs = result if return_outputs else (result, None)
        total = self._kd_combine(model, inputs, own, self._kd_ga_steps(num_items_in_batch))
        return (total, outputs) if return_outputs else total

    def prediction_step(
        self, model: Any, inputs: dict[str, Any], prediction_loss_only: bool, ignore_keys: Any = None
    ) -> Any:
        """Trainers whose evaluation bypasses `compute_loss` (ORPO) get the distillation term added here."""
        import torch

        self._kd_seen = False
        loss, logits, labels = super().prediction_step(model, inputs, prediction_loss_only, ignore_keys)  # type: ignore[misc]
        if not self._kd_seen and loss is not None:
            with torch.no_grad():
                loss = self._kd_combine(model, self._prepare_inputs(inputs), loss, 1).detach()  # type: ignore[attr-defined]
        return loss, logits, labels

    def _kd_reduced(self, sums: dict[str, list[float]]) -> dict[str, list[float]]:
        """The sums over every process (Trainer.log runs on each one); this process's own otherwise."""
        accelerator = getattr(self, "accelerator", None)
        if accelerator is None or accelerator.num_processes == 1:
            return sums
        import torch

        flat = torch.tensor([x for pair in sums.values() for x in pair], dtype=torch.float64)
        total = accelerator.reduce(flat.to(accelerator.device), reduction="sum").cpu().tolist()
        return {name: total[2 * i : 2 * i + 2] for i, name in enumerate(sums)}

    def log(self, logs: dict[str, float], *args: Any, **kwargs: Any) -> None:
        mode = "eval" if any(key.startswith("eval_") for key in logs) else "train"
        prefix = "eval_" if mode == "eval" else ""
        for name, (total, weight) in self._kd_reduced(self._kd_sums[mode]).items():
            if weight:
                logs[prefix + name] = total / weight
            self._kd_sums[mode][name] = [0.0, 0.0]
        super().log(logs, *args, **kwargs)  # type: ignore[misc]


def make_distilling(trainer: Any, teacher: Any, tokenizer: Any, params: LLMParams, logger: Logger) -> Any:
    cls = type(trainer)
    trainer.__class__ = type(f"Distilling{cls.__name__}", (DistillMixin, cls), {})
    templates = templates_for(params, tokenizer)
    trainer._kd_teacher = teacher
    trainer._kd_render = templates.to_teacher if templates is not None else None
    trainer._kd_pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    trainer._kd_alpha = params.distill_alpha
    trainer._kd_temperature = params.distill_temperature
    trainer._kd_top_k = params.distill_top_k
    trainer._kd_sums = {mode: {name: [0.0, 0.0] for name in KD_METRICS} for mode in ("train", "eval")}
    trainer._kd_seen = False
    where = "the chosen responses" if params.canonical_trainer() in ("dpo", "orpo") else "the trained tokens"
    logger.info(
        f"Distillation: loss = {params.distill_alpha} * T^2 * KL(teacher || student, T={params.distill_temperature})"
        f" + {1 - params.distill_alpha:g} * the {params.canonical_trainer()} loss, KL over {where}"
        + (f", teacher's top {params.distill_top_k} tokens" if params.distill_top_k else "")
        + (
            f", prompts rendered with the student template {templates.student!r} and the teacher template "
            f"{templates.teacher!r}, response tokens aligned"
            if templates
            else ""
        )
        + "."
    )
    return trainer
