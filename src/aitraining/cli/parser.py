"""Build an argparse parser for a command from its parameter declarations."""

from __future__ import annotations

import argparse
import json
from typing import Any

from aitraining.errors import ParamError
from aitraining.params.fields import ParamMeta
from aitraining.params.flags import flag_for
from aitraining.params.groups import ordered_groups
from aitraining.suggest import suggest

RUN_OPTIONS = "Run options"
TRUE = {"true", "1", "yes", "y", "on"}
FALSE = {"false", "0", "no", "n", "off"}


class ErrorRaisingParser(argparse.ArgumentParser):
    """argparse that raises ParamError (one paragraph, our exit code) instead of printing usage."""

    def error(self, message: str) -> Any:
        raise ParamError(f"{self.prog}: {message}. See '{self.prog} --help'.")


def parse_bool(text: str) -> bool:
    low = str(text).strip().lower()
    if low in TRUE:
        return True
    if low in FALSE:
        return False
    raise argparse.ArgumentTypeError(f"expected True or False, got '{text}'")


def _json_or_list(kind: type) -> Any:
    def convert(text: str) -> Any:
        stripped = text.strip()
        if stripped[:1] in "[{":
            try:
                value = json.loads(stripped)
            except json.JSONDecodeError as exc:
                raise argparse.ArgumentTypeError(f"not valid JSON ({exc.msg})") from None
            if not isinstance(value, kind):
                raise argparse.ArgumentTypeError(f"expected a JSON {kind.__name__}")
            return value
        if kind is list:
            return [part.strip() for part in stripped.split(",") if part.strip()]
        raise argparse.ArgumentTypeError("expected a JSON object")

    convert.__name__ = kind.__name__
    return convert


def normalise_argv(argv: list[str]) -> list[str]:
    """Accept snake_case flags (`--lora_r 8`) as aliases of the kebab-case ones (`--lora-r 8`)."""
    out = []
    for token in argv:
        if token.startswith("--"):
            name, eq, rest = token[2:].partition("=")
            token = flag_for(name) + eq + rest
        out.append(token)
    return out


def add_param(group: Any, meta: ParamMeta) -> None:
    base = meta.base_type
    help_text = meta.help
    if meta.default not in (None, "") and not meta.secret:
        help_text += f" (default: {meta.default})"
    if base is bool:
        group.add_argument(
            meta.flag, dest=meta.name, nargs="?", const=True, type=parse_bool, metavar="BOOL", help=help_text
        )
        group.add_argument(
            "--no-" + meta.flag[2:], dest=meta.name, action="store_const", const=False, help=argparse.SUPPRESS
        )
        return
    kwargs: dict[str, Any] = {"dest": meta.name, "help": help_text}
    if meta.choices:
        kwargs["metavar"] = "{" + ",".join(str(c) for c in meta.choices) + "}"
    if base in (dict, list):
        kwargs["type"] = _json_or_list(base)
        kwargs["metavar"] = "JSON" if base is dict else "LIST"
    elif base in (int, float):
        kwargs["type"] = base
    group.add_argument(meta.flag, **kwargs)


RUN_KEYS = ("train", "config", "explain", "strict", "overwrite")


def build_parser(
    command: str, summary: str, metas: dict[str, ParamMeta], actions: dict[str, str] | None = None
) -> ErrorRaisingParser:
    """`actions` maps extra action flags (e.g. 'predict') to their help text."""
    parser = ErrorRaisingParser(
        prog=f"aitraining {command}",
        usage=f"aitraining {command} --train [flags]   (or --config FILE.yml)",
        description=summary + " Flags accept kebab-case or snake_case; booleans take --flag, --no-flag "
        "or --flag=True/False.",
        argument_default=argparse.SUPPRESS,
        allow_abbrev=False,
    )
    run = parser.add_argument_group(RUN_OPTIONS)
    run.add_argument("--train", action="store_true", help="Train (the default action).")
    run.add_argument("--config", metavar="FILE.yml", help="Read parameters from a YAML config file.")
    run.add_argument("--explain", action="store_true", help="Print every resolved parameter and its source, then exit.")
    run.add_argument(
        "--strict", action="store_true", help="Treat ignored-parameter warnings and skipped bad inputs as errors."
    )
    run.add_argument("--overwrite", action="store_true", help="Allow replacing a non-empty project folder.")
    run.add_argument("--debug", action="store_true", help="On an error, also print the full traceback.")
    for action, help_text in (actions or {}).items():
        run.add_argument(flag_for(action), dest=action, action="store_true", help=help_text)
    names = ordered_groups(list(dict.fromkeys(m.group for m in metas.values())))
    groups = {name: parser.add_argument_group(name) for name in names}
    for meta in metas.values():
        add_param(groups[meta.group], meta)
    return parser


def autotrain_flags(unknown: list[str]) -> dict[str, Any]:
    """Take AutoTrain flags this command does not declare out of `unknown` (in place): {name: value}.
    config.resolve turns them into the spec-style warning (an error with --strict)."""
    from aitraining.params.autotrain import AUTOTRAIN_PARAMS

    found: dict[str, Any] = {}
    i = 0
    while i < len(unknown):
        name, eq, value = unknown[i].removeprefix("--").partition("=")
        name = name.replace("-", "_")
        if not unknown[i].startswith("--") or name not in AUTOTRAIN_PARAMS:
            i += 1
            continue
        del unknown[i]
        if not eq and i < len(unknown) and not unknown[i].startswith("-"):
            value = unknown.pop(i)
        found[name] = value if (eq or value) else True
    return found


def parse_command_args(
    parser: ErrorRaisingParser, argv: list[str], actions: tuple[str, ...] = ()
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return (run options, parameter values given on the command line)."""
    namespace, unknown = parser.parse_known_args(normalise_argv(argv))
    foreign = autotrain_flags(unknown)
    if unknown:
        flags = [s for a in parser._actions for s in a.option_strings]
        bad = unknown[0]
        hint = (suggest(bad.split("=")[0], flags, flag=True) + _owners(bad, parser.prog)) if bad.startswith("-") else ""
        what = "Unknown flag" if bad.startswith("-") else "Unexpected argument"
        raise ParamError(f"{what} '{bad}' for '{parser.prog}'.{hint} See '{parser.prog} --help'.")
    given = {**foreign, **vars(namespace)}
    run_opts = {k: given.pop(k) for k in (*RUN_KEYS, *actions) if k in given}
    return run_opts, given


def _owners(token: str, prog: str) -> str:
    """' --rl-gamma is a flag of aitraining llm.' when other commands declare this flag, else ''."""
    from aitraining.tasks.registry import TASKS

    flag = normalise_argv([token.split("=")[0]])[0]
    owners = [
        name
        for name, task in TASKS.items()
        if task.available
        and f"aitraining {name}" != prog
        and any(m.flag == flag for m in task.params_class().param_metas().values())
    ]
    return f" {flag} is a flag of {', '.join(f'aitraining {o}' for o in owners)}." if owners else ""
