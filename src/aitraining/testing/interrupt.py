"""Run the CLI in a child process that is stopped after its N-th complete checkpoint (for tests).

    python -m aitraining.testing.interrupt --after N --mode kill|wait -- llm --train ...

Before each training step the child counts the complete checkpoints in `<project>/checkpoints`; once
there are N of them it either SIGKILLs itself (mode kill: a preempted machine, nothing can run after)
or writes `<project>/.ready-for-signal` and slows each further step down (mode wait), so the test can
send SIGTERM/SIGINT from outside while training is still going. Works for transformers Trainers and
for our own PPO trainer.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

READY_FILE = ".ready-for-signal"


def complete_checkpoints(project: Path) -> int:
    from aitraining.engine.checkpoints import MANIFEST, checkpoints_root, list_checkpoints

    return sum((p / MANIFEST).is_file() for p in list_checkpoints(checkpoints_root(project)))


class Tripwire:
    def __init__(self, project: Path, after: int, mode: str) -> None:
        self.project, self.after, self.mode = project, after, mode

    def before_step(self) -> None:
        if complete_checkpoints(self.project) < self.after:
            return
        if self.mode == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        (self.project / READY_FILE).touch()
        time.sleep(0.5)  # leaves the test time to send its signal while steps are still running


def install(tripwire: Tripwire) -> None:
    from transformers import TrainerCallback

    from aitraining.engine import hf_guard
    from aitraining.tasks.llm.ppo.trainer import PPOTrainer

    class BeforeStep(TrainerCallback):
        def on_step_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            tripwire.before_step()

    attach = hf_guard.attach

    def attach_with_tripwire(trainer: Any, guard: Any) -> None:
        attach(trainer, guard)
        trainer.add_callback(BeforeStep())

    hf_guard.attach = attach_with_tripwire
    step = PPOTrainer.step

    def ppo_step(self: Any, queries: Any) -> Any:
        tripwire.before_step()
        return step(self, queries)

    PPOTrainer.step = ppo_step  # type: ignore[method-assign]  # the harness wraps the class's step


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--after", type=int, required=True)
    parser.add_argument("--mode", choices=("kill", "wait"), required=True)
    parser.add_argument("cli", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    cli = args.cli[1:] if args.cli[:1] == ["--"] else args.cli
    project = Path(cli[cli.index("--project-name") + 1])
    install(Tripwire(project, args.after, args.mode))
    from aitraining.cli.main import main as cli_main

    return cli_main(cli)


def spawn(cli: list[str], after: int, mode: str) -> Any:
    """Start `aitraining <cli>` in a child process with the tripwire; returns the Popen."""
    import subprocess

    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    command = [sys.executable, "-m", "aitraining.testing.interrupt", "--after", str(after), "--mode", mode, "--", *cli]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def step_losses(project: Path, key: str = "loss") -> dict[int, float]:
    """{step: value} of every logged training step in a finished run's metrics.json."""
    import json

    history = json.loads((Path(project) / "metrics.json").read_text())["history"]
    return {entry["step"]: entry[key] for entry in history if key in entry}


def wait_for_ready(child: Any, project: Path, timeout: float = 300) -> None:
    """Until the child (mode wait) has its checkpoints and is slowed down, or fails the test if it ended."""
    deadline = time.time() + timeout
    while not (Path(project) / READY_FILE).exists():
        if child.poll() is not None or time.time() > deadline:
            output = child.stdout.read() if child.stdout else ""
            raise AssertionError(f"child ended (rc {child.returncode}) before its checkpoints:\n{output[-3000:]}")
        time.sleep(0.1)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
