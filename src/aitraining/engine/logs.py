"""Console and file logging for a run, plus the callback that prints periodic metric lines.

On a terminal: one training progress bar with the metric lines above it. Otherwise (a log file, CI):
plain lines only, no escape sequences, no evaluation bars. training.log gets the same lines either way.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path
from typing import Any

from aitraining.engine import distributed

LOGGER_NAME = "aitraining"
FORMAT = "%(asctime)s %(levelname)s %(message)s"


def get_logger() -> logging.Logger:
    return logging.getLogger(LOGGER_NAME)


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (runs in one process may each redirect it)."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass  # needed: StreamHandler.__init__ and setStream assign it; the getter always follows sys.stderr


def setup_console() -> logging.Logger:
    logger = get_logger()
    logger.setLevel(logging.INFO if distributed.is_main() else logging.WARNING)  # each line once
    logger.propagate = False
    if not any(getattr(h, "_aitraining_console", False) for h in logger.handlers):
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        handler._aitraining_console = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    return logger


def start_buffer() -> logging.handlers.MemoryHandler:
    """Keep what is logged before the project folder may be written; flushed by attach_file."""
    buffer = logging.handlers.MemoryHandler(capacity=100_000, flushLevel=logging.CRITICAL + 1)
    get_logger().addHandler(buffer)
    return buffer


def attach_file(path: Path, buffer: logging.handlers.MemoryHandler | None = None) -> logging.Handler:
    """Mirror our log and transformers' warnings into the project's training log (earlier lines included)."""
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter(FORMAT))
    if buffer is not None:
        buffer.setTarget(handler)
        buffer.flush()
        get_logger().removeHandler(buffer)
        buffer.close()
    get_logger().addHandler(handler)
    logging.getLogger("transformers").addHandler(handler)
    return handler


def detach(handler: logging.Handler) -> None:
    get_logger().removeHandler(handler)
    logging.getLogger("transformers").removeHandler(handler)
    handler.close()


SKIP = ("runtime", "per_second", "total_flos", "num_tokens")


def format_logs(step: int, max_steps: int, logs: dict[str, Any]) -> str:
    """'step 10/100 | epoch 0.50 | loss 2.3456 | ...', with every evaluation metric the task reports."""
    parts = [f"step {step}/{max_steps}"]
    keys = ["epoch", "loss", "learning_rate", "grad_norm"]
    keys += sorted(k for k in logs if k.startswith("eval_") and not any(s in k for s in SKIP))
    for key in keys:
        value = logs.get(key)
        if isinstance(value, (int, float)):  # NaN/inf are shown: a diverging run must be visible
            parts.append(f"{key} {value:.3g}" if key == "learning_rate" else f"{key} {value:.4f}")
    return " | ".join(parts)


def console_is_terminal() -> bool:
    """A progress bar only where a person watches a terminal; logs and CI get plain lines."""
    isatty = getattr(sys.stderr, "isatty", None)
    return bool(isatty and isatty())


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def timing(step: int, max_steps: int, elapsed: float) -> str:
    """'00:12 elapsed, ~01:48 left' (the estimate once a step has run)."""
    text = f"{_clock(elapsed)} elapsed"
    if 0 < step < max_steps:
        text += f", ~{_clock(elapsed / step * (max_steps - step))} left"
    return text


def use_loss_lines(trainer: Any) -> Any:
    """Replace transformers' console output with ours: on a terminal one training bar (no evaluation bars)
    with metric lines above it; elsewhere plain metric lines only. Every line also goes to training.log.
    Every Trainer-based run passes through here, so a sweep trial's pruning hook is attached here too."""
    from transformers.trainer_callback import PrinterCallback, ProgressCallback

    trainer.remove_callback(ProgressCallback)
    trainer.remove_callback(PrinterCallback)
    trainer.add_callback(_console_callback()(bar=console_is_terminal()))
    from aitraining.features.sweep.report import attach_pruning

    attach_pruning(trainer)  # a sweep's trial reports its evaluations for pruning; other runs: nothing
    return trainer


def _console_callback() -> type:
    import time

    from transformers.trainer_callback import TrainerCallback

    class ConsoleLines(TrainerCallback):
        def __init__(self, bar: bool) -> None:
            self.use_bar, self.bar, self.start = bar, None, time.monotonic()

        def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            self.start = time.monotonic()
            if self.bar is not None:  # --auto-find-batch-size restarts training after an out-of-memory error
                self.bar.close()
                self.bar = None
            if getattr(args, "auto_find_batch_size", False) and state.is_world_process_zero:
                get_logger().info(f"--auto-find-batch-size: trying batch size {state.train_batch_size} per device.")
            if self.use_bar and state.is_world_process_zero:
                from tqdm.auto import tqdm

                self.bar = tqdm(total=state.max_steps, initial=state.global_step, unit="step", file=sys.stderr)

        def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            if self.bar is not None:
                self.bar.update(state.global_step - self.bar.n)

        def on_log(self, args: Any, state: Any, control: Any, logs: Any = None, **kwargs: Any) -> None:
            if logs and state.is_world_process_zero and any(k in logs for k in ("loss", "eval_loss")):
                line = format_logs(state.global_step, state.max_steps, logs)
                self.emit(f"{line} | {timing(state.global_step, state.max_steps, time.monotonic() - self.start)}")

        def on_train_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            if self.bar is not None:
                self.bar.close()
                self.bar = None
            if getattr(args, "auto_find_batch_size", False) and state.is_world_process_zero:
                self.emit(found_batch_line(state.train_batch_size, args.per_device_train_batch_size))
            if state.is_world_process_zero and args.load_best_model_at_end:
                from types import SimpleNamespace

                from aitraining.engine.best import best_summary, describe_best

                self.emit(describe_best(best_summary(SimpleNamespace(args=args, state=state))))

        def emit(self, line: str) -> None:
            if self.bar is not None:
                self.bar.write(line, file=sys.stderr)
                file_only(line)
            else:
                get_logger().info(line)

    return ConsoleLines


def found_batch_line(found: int, asked: int) -> str:
    """What --auto-find-batch-size settled on (transformers shrinks the batch by 10% per out-of-memory error)."""
    if found == asked:
        return f"--auto-find-batch-size: trained with batch size {found} per device (--batch-size {asked} fitted)."
    return (
        f"--auto-find-batch-size: trained with batch size {found} per device; --batch-size {asked} did not fit "
        f"in memory. Pass --batch-size {found} next time to start there."
    )


def file_only(line: str) -> None:
    """Write a line to the file handlers only (the console already shows it above the bar)."""
    logger = get_logger()
    record = logger.makeRecord(logger.name, logging.INFO, __file__, 0, line, (), None)
    for handler in logger.handlers:
        if not getattr(handler, "_aitraining_console", False):
            handler.handle(record)
