"""Console and file logging for a run, plus the callback that prints periodic loss lines."""

from __future__ import annotations

import logging
import logging.handlers
import math
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

    @property  # type: ignore[override]
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
        if isinstance(value, (int, float)) and not math.isnan(value):
            parts.append(f"{key} {value:.3g}" if key == "learning_rate" else f"{key} {value:.4f}")
    return " | ".join(parts)


def use_loss_lines(trainer: Any) -> Any:
    """Keep transformers' progress bar but print our compact loss lines instead of its raw dicts."""
    from transformers.trainer_callback import ProgressCallback

    class LossLines(ProgressCallback):
        def on_log(self, args: Any, state: Any, control: Any, logs: Any = None, **kwargs: Any) -> None:
            if logs and state.is_world_process_zero and any(k in logs for k in ("loss", "eval_loss")):
                line = format_logs(state.global_step, state.max_steps, logs)
                if self.training_bar is not None:
                    self.training_bar.write(line)
                    file_only(line)
                else:
                    get_logger().info(line)

    trainer.remove_callback(ProgressCallback)
    trainer.add_callback(LossLines())
    return trainer


def file_only(line: str) -> None:
    """Write a line to the file handlers only (the console already shows it above the bar)."""
    logger = get_logger()
    record = logger.makeRecord(logger.name, logging.INFO, __file__, 0, line, None, None)
    for handler in logger.handlers:
        if not getattr(handler, "_aitraining_console", False):
            handler.handle(record)
