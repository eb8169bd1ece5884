"""Work-arounds for transformers behaviour the image commands meet; one place to drop them when fixed.

transformers 5.24's Trainer restores the best checkpoint (`load_best_model_at_end`) with a plain
`load_state_dict(strict=False)` on the saved file. Models whose saved weight names differ from their
in-memory names (DETR's checkpoint conversion: conv_encoder, fc1, out_proj ...) then keep their *last*
weights while the run reports the best, and the log only warns about "missing keys". `ReloadBestWeights`
loads the best checkpoint again through `from_pretrained`, which applies the name conversion, and hides
that warning while it does so.

The same strict=False load restores a checkpoint on resume (`Trainer._load_from_checkpoint`): LLaVA-style
models save `language_model.model.*` where they hold `model.language_model.*`, so a resumed run silently kept
its fresh weights. `weight_converting_trainer` loads the checkpoint through `from_pretrained` instead.
"""

from __future__ import annotations

import logging
from typing import Any

_KEY_WARNINGS = ("There were missing keys in the checkpoint", "There were unexpected keys in the checkpoint")


class _HideKeyWarnings(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.getMessage()).startswith(_KEY_WARNINGS)


def reload_best_weights_callback() -> Any:
    from transformers import PreTrainedModel, TrainerCallback

    from aitraining.engine.logs import get_logger

    hide = _HideKeyWarnings()
    trainer_log = logging.getLogger("transformers.trainer")

    class ReloadBestWeights(TrainerCallback):
        def on_train_begin(self, args: Any, state: Any, control: Any, model: Any = None, **kwargs: Any) -> None:
            if isinstance(model, PreTrainedModel):
                trainer_log.addFilter(hide)

        def on_train_end(self, args: Any, state: Any, control: Any, model: Any = None, **kwargs: Any) -> None:
            trainer_log.removeFilter(hide)
            # LoRA (a PeftModel) is left to the Trainer: adapter weight names need no conversion
            if args.load_best_model_at_end and state.best_model_checkpoint and isinstance(model, PreTrainedModel):
                best = type(model).from_pretrained(state.best_model_checkpoint)
                model.load_state_dict(best.state_dict())
                get_logger().info(f"Kept the best checkpoint: {state.best_model_checkpoint}.")

    return ReloadBestWeights()


def weight_converting_trainer(base: type) -> type:
    """`base` (a transformers Trainer class) resuming full models through `from_pretrained`, which converts the
    saved weight names; LoRA adapters and sharded (FSDP/DeepSpeed) checkpoints keep the Trainer's own loading."""
    from transformers import PreTrainedModel

    class WeightConvertingTrainer(base):
        def _load_from_checkpoint(self, resume_from_checkpoint: str, model: Any = None) -> None:
            target = self.model if model is None else model
            sharded = self.is_fsdp_enabled or self.is_deepspeed_enabled
            if not isinstance(target, PreTrainedModel) or sharded:
                return super()._load_from_checkpoint(resume_from_checkpoint, model)
            saved = type(target).from_pretrained(resume_from_checkpoint)
            missing, unexpected = target.load_state_dict(saved.state_dict(), strict=False)
            if missing or unexpected:
                raise RuntimeError(
                    f"checkpoint {resume_from_checkpoint} does not match the model: {missing or unexpected}"
                )
            return None

    return WeightConvertingTrainer
