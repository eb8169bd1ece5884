"""Entry point: `aitraining <command> [flags]` or `aitraining --config FILE.yml [flags]`."""

from __future__ import annotations

import sys
from typing import Any

from aitraining import __version__
from aitraining.cli.failures import report, split_debug
from aitraining.engine import distributed
from aitraining.engine.signals import remember_command
from aitraining.errors import AitrainingError, NotAvailableError
from aitraining.params.flags import flag_for
from aitraining.suggest import did_you_mean
from aitraining.tasks.registry import TASKS

HELPERS = {"tools": "Helpers: merge-llm-adapter (merge a LoRA adapter into its base model)."}


def top_help() -> str:
    width = max(len(n) for n in [*TASKS, *HELPERS])
    lines = [
        "usage: aitraining <command> --train [flags]    |    aitraining --config FILE.yml [flags]",
        "",
        "Train models with one command. Commands:",
    ]
    for name, task in TASKS.items():
        mark = "" if task.available else "  (not available yet)"
        lines.append(f"  {name.ljust(width)}  {task.summary}{mark}")
    for name, summary in HELPERS.items():
        lines.append(f"  {name.ljust(width)}  {summary}")
    lines += [
        "",
        "Run 'aitraining <command> --help' for that command's flags, grouped by topic.",
        "Options: --config FILE.yml, --version, --help, --debug (show the traceback of an error)",
    ]
    return "\n".join(lines)


def run_command(command: str, argv: list[str], file_config: Any = None, launch_argv: list[str] | None = None) -> int:
    """`launch_argv`: the whole command line, rerun in each process when the run needs several."""
    from aitraining.cli.parser import build_parser, parse_command_args
    from aitraining.config import explain, load_config_file, resolve

    task = TASKS[command]
    if not task.available:
        if any(a in ("-h", "--help") for a in argv):
            print(f"usage: aitraining {command} ...\n\n{task.summary}\n\n{task.unavailable_message()}")
            return 0
        raise NotAvailableError(task.unavailable_message())
    cls = task.params_class()
    actions = {name: help_text for name, (help_text, _) in task.actions.items()}
    parser = build_parser(command, task.summary, cls.param_metas(), actions)
    run_opts, given = parse_command_args(parser, argv, tuple(actions))
    if "config" in run_opts:
        file_config = load_config_file(run_opts["config"])
        if file_config.command != command:
            raise AitrainingError(
                f"Config file {run_opts['config']} is for '{file_config.command}', not '{command}'. "
                f"Run 'aitraining --config {run_opts['config']}' instead."
            )
    active = frozenset(a for a in actions if run_opts.get(a))
    resolved = resolve(task, given, file_config, strict=bool(run_opts.get("strict")), actions=active)
    for line in resolved.warnings if distributed.prints_resolve_warnings() else ():
        print(line, file=sys.stderr)
    if run_opts.get("explain"):
        print(explain(resolved))
        return 0
    chosen = [a for a in actions if run_opts.get(a)]
    if len(chosen) > 1 or (chosen and run_opts.get("train")):
        flags = " / ".join(flag_for(a) for a in actions)
        raise AitrainingError(f"Pick one action: --train or {flags}, not several.")
    if chosen:
        return task.run_action(chosen[0], resolved)
    if getattr(resolved.params, "use_sweep", False):  # the sweep runs each trial as its own training
        from aitraining.features.sweep import run_sweep

        return run_sweep(resolved, overwrite=bool(run_opts.get("overwrite")))
    if distributed.needs_launch(resolved.params):
        from aitraining.engine.logs import setup_console

        return distributed.launch(resolved.params, launch_argv or [command, *argv], setup_console())
    from aitraining.engine.runner import run_training

    run_training(resolved, overwrite=bool(run_opts.get("overwrite")))
    return 0


def dispatch(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(top_help())
        return 0
    if argv[0] == "--version":
        print(f"aitraining {__version__}")
        return 0
    if argv[0] == "--config" or argv[0].startswith("--config="):
        from aitraining.config import load_config_file

        path = argv[0].partition("=")[2] or (argv[1] if len(argv) > 1 else "")
        rest = argv[1:] if "=" in argv[0] else argv[2:]
        file_config = load_config_file(path)
        return run_command(file_config.command, rest, file_config, launch_argv=argv)
    command = argv[0]
    if command == "tools":
        from aitraining.cli.tools import run_tools

        return run_tools(argv[1:])
    if command not in TASKS:
        hint = did_you_mean(command, [*TASKS, *HELPERS])
        raise AitrainingError(f"Unknown command '{command}'.{hint} Run 'aitraining --help' for the list.")
    return run_command(command, argv[1:], launch_argv=argv)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; every failure becomes one message and a non-zero exit (a traceback only with --debug)."""
    args, debug = split_debug(list(sys.argv[1:] if argv is None else argv))
    remember_command(args)  # an interrupted run prints this command with --resume-from-checkpoint auto
    try:
        return dispatch(args)
    except SystemExit as exc:  # argparse's --help exits; keep main() usable in-process
        return exc.code if isinstance(exc.code, int) else 0
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    except Exception as exc:
        if distributed.quiet_failure(exc):  # rank 0 of the same checks already says it
            return exc.exit_code  # type: ignore[attr-defined]
        return report(exc, debug=debug)
