"""The transformers Trainer side of the run guard: every private Trainer name we rely on is here.

- `_save_checkpoint` is wrapped so the Trainer writes into a staging folder (through `_get_output_dir`),
  which is then committed atomically with its manifest and rotated by our rules;
- `training_step` and `_get_grad_norm` are wrapped to see every step's loss and gradient norm;
- a callback vetoes saves at bad steps, stops at the divergence limit, and turns a signal into a save
  followed by RunInterrupted (during evaluation too).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from transformers import TrainerCallback

from aitraining.engine import checkpoints

if TYPE_CHECKING:
    from aitraining.engine.guard import RunGuard


class StepValues:
    """The loss summed over a step's micro-batches and its gradient norm, read once per step."""

    def __init__(self) -> None:
        self.loss: Any = None
        self.grad_norm: Any = None

    def add_loss(self, loss: Any) -> None:
        value = loss.detach().float().sum()
        self.loss = value if self.loss is None else self.loss + value

    def take(self) -> tuple[float | None, float | None]:
        loss = None if self.loss is None else float(self.loss)
        grad = None if self.grad_norm is None else float(self.grad_norm)
        self.loss = self.grad_norm = None
        return loss, grad


def watch_steps(trainer: Any) -> StepValues:
    values = StepValues()
    training_step, grad_norm = trainer.training_step, getattr(trainer, "_get_grad_norm", None)

    def step_and_watch(*args: Any, **kwargs: Any) -> Any:
        loss = training_step(*args, **kwargs)
        values.add_loss(loss)
        return loss

    def norm_and_watch(*args: Any, **kwargs: Any) -> Any:
        assert grad_norm is not None  # only installed when the trainer has _get_grad_norm
        values.grad_norm = grad_norm(*args, **kwargs)
        return values.grad_norm

    trainer.training_step = step_and_watch
    if grad_norm is not None:  # upstream renamed it: the loss is still watched
        trainer._get_grad_norm = norm_and_watch
    return values


def make_saves_atomic(trainer: Any, guard: RunGuard) -> None:
    """Every process writes its part into the staging folder; the main process alone commits it."""
    original, main = trainer._save_checkpoint, trainer.args.should_save
    wait = trainer.accelerator.wait_for_everyone  # a no-op with one process

    def save(model: Any, trial: Any) -> None:
        staging = guard.root / checkpoints.STAGING
        if main:
            checkpoints.fresh_staging(guard.root)
        wait()
        trainer._get_output_dir = lambda trial=None: str(staging)
        try:
            original(model, trial)
        finally:
            del trainer._get_output_dir  # the class's own method again
        wait()
        commit_staged(trainer, guard, staging, main)
        wait()

    trainer._save_checkpoint = save


def commit_staged(trainer: Any, guard: RunGuard, staging: Path, main: bool) -> None:
    state = trainer.state
    staged = staging / f"{checkpoints.PREFIX}{state.global_step}"
    best = state.best_model_checkpoint
    if best and Path(best).parent == staging:  # the best is this one: point at its final place
        state.best_model_checkpoint = str(guard.root / Path(best).name)
        if main:
            state.save_to_json(str(staged / "trainer_state.json"))
    if not main:
        return
    keep = Path(state.best_model_checkpoint) if state.best_model_checkpoint else None
    guard.commit(staged, state.global_step, float(state.epoch or 0.0), keep)


class GuardCallback(TrainerCallback):
    def __init__(self, trainer: Any, guard: RunGuard, values: StepValues) -> None:
        self.trainer, self.guard, self.values = trainer, guard, values
        self.bad = False

    def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> Any:
        self.bad = self.guard.observe(state.global_step, *self.values.take())
        if self.bad:
            control.should_save = False  # never a checkpoint of a diverged model
        elif self.guard.stop_requested:
            control.should_save = True
        return control

    def on_epoch_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> Any:
        if self.bad:
            control.should_save = False
        return control

    def on_evaluate(self, args: Any, state: Any, control: Any, **kwargs: Any) -> Any:
        if self.guard.stop_requested and not self.bad:
            control.should_save = True
        return control

    def on_prediction_step(self, args: Any, state: Any, control: Any, **kwargs: Any) -> Any:
        """A signal during an evaluation inside training: save now instead of finishing the evaluation."""
        if self.guard.stop_requested and not self.bad and state.global_step > 0:
            self.trainer._save_checkpoint(self.trainer.model, None)
            self.raise_stop(state)
        return control

    def on_save(self, args: Any, state: Any, control: Any, **kwargs: Any) -> Any:
        if self.guard.stop_requested:
            self.raise_stop(state)
        return control

    def raise_stop(self, state: Any) -> None:
        raise self.guard.stop(self.guard.root / f"{checkpoints.PREFIX}{state.global_step}", state.global_step)


def attach(trainer: Any, guard: RunGuard) -> None:
    values = watch_steps(trainer)
    make_saves_atomic(trainer, guard)
    trainer.add_callback(GuardCallback(trainer, guard, values))
