"""`guarded_train(trainer, ctx)`: the one call that trains, for every trainer of every command.

Around `trainer.train(...)` it adds what makes a run survive: the resume point chosen before loading,
checkpoints that are atomic and carry a manifest, rotation that keeps the last good checkpoint,
signals that save before stopping, and the divergence watch. A transformers Trainer gets these through
hooks (engine/hf_guard.py); a trainer of our own (PPO) receives the guard and calls it from its loop.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from aitraining.engine import checkpoints, timings
from aitraining.engine.divergence import DivergenceWatch
from aitraining.engine.signals import Interruption

if TYPE_CHECKING:
    from aitraining.engine.runner import RunContext


class RunGuard:
    """What a training loop asks at each step: is it bad, is a save due, was a stop requested."""

    def __init__(self, ctx: RunContext, root: Path) -> None:
        self.ctx, self.root = ctx, Path(root)
        self.params = ctx.params
        self.interruption = Interruption()
        self.divergence = DivergenceWatch(self.params, self.last_good, ctx.logger.warning)

    @property
    def stop_requested(self) -> bool:
        return self.interruption.requested is not None

    def last_good(self) -> Path | None:
        good = [p for p in checkpoints.list_checkpoints(self.root) if (p / checkpoints.MANIFEST).is_file()]
        return good[-1] if good else None

    def observe(self, step: int, loss: float | None, grad_norm: float | None) -> bool:
        """True when the step is bad; raises DivergenceError after --max-bad-steps bad steps in a row."""
        return self.divergence.observe(step, loss, grad_norm)

    def commit(self, staged: Path, step: int, epoch: float, keep: Path | None = None) -> Path:
        """Make a staged checkpoint visible, then rotate the older ones."""
        final = checkpoints.commit(staged, self.root, step, epoch, self.ctx.fingerprint)
        for removed in checkpoints.rotate(self.root, self.params.save_total_limit, keep):
            self.ctx.logger.info(f"Deleted older checkpoint {removed.name} (--save-total-limit).")
        return final

    def save(self, step: int, epoch: float, write: Any) -> Path:
        """For our own trainers: `write(folder)` fills the staged checkpoint."""
        staged = checkpoints.fresh_staging(self.root) / f"{checkpoints.PREFIX}{step}"
        staged.mkdir()
        write(staged)
        return self.commit(staged, step, epoch)

    def stop(self, checkpoint: Path, step: int) -> Exception:
        return self.interruption.stop(checkpoint, step)


def is_transformers_trainer(trainer: Any) -> bool:
    return hasattr(trainer, "add_callback") and hasattr(trainer, "_save_checkpoint")


def guarded_train(trainer: Any, ctx: RunContext) -> Any:
    """Train with resume, safe checkpoints, signal handling and the divergence watch."""
    resume = str(ctx.resume_from) if ctx.resume_from else None
    if is_transformers_trainer(trainer):
        from aitraining.engine.hf_guard import attach

        guard = RunGuard(ctx, Path(trainer.args.output_dir))
        attach(trainer, guard)
        call = lambda: trainer.train(resume_from_checkpoint=resume)  # noqa: E731
    else:
        guard = RunGuard(ctx, checkpoints.checkpoints_root(ctx.project.path))
        call = lambda: trainer.train(resume_from_checkpoint=resume, guard=guard)  # noqa: E731
    guard.interruption.install()
    try:
        with timings.phase("train"):
            return call()
    finally:
        guard.interruption.restore()
