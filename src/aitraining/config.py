"""Turn defaults + a YAML config file + CLI flags into one validated params object.

Precedence: flag > config file > default. Every value remembers where it came from, so
`--explain` can show it and the compatibility checks know what the user set explicitly.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aitraining.config_yaml import Positions, read_yaml
from aitraining.config_yaml import where as yaml_where
from aitraining.errors import ParamError
from aitraining.params.autotrain import AUTOTRAIN_PARAMS, foreign_warning
from aitraining.params.compat import apply_compatibility
from aitraining.params.fields import ParamMeta
from aitraining.params.groups import CoreParams, DataParams, LoggingParams, OptimParams
from aitraining.suggest import did_you_mean, suggest
from aitraining.tasks.registry import TASKS, TaskSpec

TOP_KEYS = ("task", "base_model", "project_name", "data", "params", "hub", "log", "backend")
DATA_KEYS = ("path", "train_split", "valid_split", "column_mapping", "chat_template")
HUB_KEYS = ("username", "token", "push_to_hub", "repo_id")
DEFAULT = "default"
_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass
class Resolved:
    """The outcome of resolution: what the run uses, and where each value came from."""

    task: TaskSpec
    params: CoreParams  # every command's params class inherits CoreParams (tests/test_layout.py checks it)
    sources: dict[str, str]
    warnings: list[str] = field(default_factory=list)
    strict: bool = False  # --strict: data problems that are skipped with a count become errors too
    # hub values whose ${ENV} reference was unset: {param name: variable}; an error only when pushing
    unset_env: dict[str, str] = field(default_factory=dict)

    @property
    def trainer(self) -> str | None:
        value = getattr(self.params, "trainer", None)
        return self.task.trainer_aliases.get(value, value) if value else None


@dataclass
class FileConfig:
    command: str
    values: dict[str, Any]  # param name -> value
    origin: dict[str, str]  # param name -> "config file X (key)"
    unset_env: dict[str, str] = field(default_factory=dict)  # hub param -> unset ${VARIABLE}


def unset_variables(value: Any) -> list[str]:
    """The ${VARIABLES} a config value refers to that are not set in the environment."""
    if isinstance(value, str):
        return [m.group(1) for m in _ENV.finditer(value) if m.group(1) not in os.environ]
    return []


def _substitute_env(value: Any, where: str) -> Any:
    if isinstance(value, str):

        def repl(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in os.environ:
                raise ParamError(
                    f"{where} uses ${{{name}}} but the environment variable {name} is not set: "
                    f"export {name}=... or write the value into the config file."
                )
            return os.environ[name]

        return _ENV.sub(repl, value)
    if isinstance(value, dict):
        return {k: _substitute_env(v, where) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute_env(v, where) for v in value]
    return value


def _check_keys(
    section: dict[str, Any], allowed: tuple[str, ...], where: str, positions: Positions | None = None, *path: str
) -> None:
    for key in section:
        if key not in allowed:
            place = yaml_where(positions or {}, *path, str(key))
            raise ParamError(
                f"Unknown key '{key}' in {where}{place}.{did_you_mean(str(key), allowed)} "
                f"Allowed keys: {', '.join(allowed)}."
            )


def task_from_name(name: str) -> tuple[str, dict[str, Any]]:
    """Map a task name in any of AutoTrain's spellings ('llm-sft', 'llm:sft', 'text_classification',
    'sentence-transformers:pair_score', 'st:pair', 'vlm:vqa') to a command and fixed params."""
    norm = str(name).strip().lower().replace("_", "-")
    for command, spec in TASKS.items():
        if norm == command:
            return command, {}
        if norm in spec.config_names:
            return command, dict(spec.config_names[norm])
    for command, spec in TASKS.items():
        for prefix in (command, *spec.config_names):
            if len(norm) > len(prefix) + 1 and norm.startswith(prefix) and norm[len(prefix)] in "-:":
                suffix = norm[len(prefix) + 1 :]
                names = {t.replace("_", "-"): t for t in (*spec.trainers, *spec.trainer_aliases)}
                if suffix in names:
                    return command, {**spec.config_names.get(prefix, {}), "trainer": names[suffix]}
    options = [*TASKS, *(f"{c}-{t}" for c, s in TASKS.items() for t in s.trainers)]
    raise ParamError(f"Unknown task '{name}' in the config file.{did_you_mean(norm, options)}")


def load_config_file(path: str | Path) -> FileConfig:
    file = Path(path)
    if not file.is_file():
        raise ParamError(f"Config file {file} not found.")
    raw, positions = read_yaml(file)
    raw = raw or {}
    if not isinstance(raw, dict):
        raise ParamError(f"Config file {file} must hold a mapping of keys (task, base_model, data, params, ...).")
    _check_keys(raw, TOP_KEYS, f"config file {file}", positions)
    if "task" not in raw:
        raise ParamError(f"Config file {file} needs a 'task' key, e.g. 'task: llm-sft'.")
    command, values = task_from_name(raw["task"])
    origin = {k: f"config file {file} (task)" for k in values}
    unset: dict[str, str] = {}

    def put(name: str, value: Any, key: str) -> None:
        line = positions.get(tuple(key.split(".")))
        origin[name] = f"config file {file} ({key}{f', line {line[0]}' if line else ''})"
        missing = unset_variables(value)
        if missing and key.startswith("hub."):  # needed only to push: an error then, not now
            unset[name] = missing[0]
            values[name] = None
            return
        values[name] = _substitute_env(value, origin[name])

    for key, name in (
        ("base_model", "model"),
        ("project_name", "project_name"),
        ("log", "log"),
        ("backend", "backend"),
    ):
        if key in raw:
            put(name, raw[key], key)
    for section, allowed in (("data", DATA_KEYS), ("hub", HUB_KEYS)):
        block = raw.get(section) or {}
        if not isinstance(block, dict):
            raise ParamError(f"'{section}' in config file {file} must be a mapping.")
        _check_keys(block, allowed, f"the '{section}' section of config file {file}", positions, section)
        for key, value in block.items():
            if key == "column_mapping":
                for col_param, col in (value or {}).items():
                    put(col_param, col, f"data.column_mapping.{col_param}")
            else:
                put("data_path" if key == "path" else key, value, f"{section}.{key}")
    params = raw.get("params") or {}
    if not isinstance(params, dict):
        raise ParamError(f"'params' in config file {file} must be a mapping of parameter names to values.")
    for key, value in params.items():
        put(key, value, f"params.{key}")
    return FileConfig(command, values, origin, unset)


def _check_choice(meta: ParamMeta, value: Any, source: str) -> None:
    choices = meta.choices
    if choices is None or value is None or value in choices:
        return
    shown = ", ".join(str(c) for c in choices)
    raise ParamError(
        f"Invalid value '{value}' for {meta.name} ({source}): choose one of {shown}."
        f"{did_you_mean(str(value), [str(c) for c in choices])}"
    )


def _validation_message(exc: Any, sources: dict[str, str]) -> str:
    parts = []
    for err in exc.errors():
        name = str(err["loc"][0]) if err["loc"] else "?"
        parts.append(f"{name} ({sources.get(name, 'value')}): {err['msg']}")
    return "Invalid parameter value: " + "; ".join(parts) + "."


def _merge_layers(
    task: TaskSpec, metas: dict[str, ParamMeta], layers: list[tuple[dict[str, Any], dict[str, str]]], strict: bool
) -> tuple[dict[str, Any], dict[str, str], dict[str, str]]:
    """(values, sources, warnings): later layers win; AutoTrain-only names are warned about and dropped."""
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    foreign: dict[str, str] = {}
    for layer, origin in layers:
        for name, value in layer.items():
            where = origin.get(name, "input")
            if name not in metas:
                if name not in AUTOTRAIN_PARAMS:
                    raise ParamError(
                        f"Unknown parameter '{name}' ({where}) for 'aitraining {task.name}'.{suggest(name, metas)}"
                    )
                if strict:
                    raise ParamError(
                        f"{foreign_warning(name, task.name).removeprefix('Warning: ')} ({where}); --strict turns "
                        "this into an error. Remove it."
                    )
                foreign[name] = foreign_warning(name, task.name)
                continue
            choices = metas[name].choices
            if value is None and choices and "none" in choices:
                value = "none"  # AutoTrain writes `quantization: null` where we say none
            _check_choice(metas[name], value, where)
            values[name] = value
            sources[name] = where
    return values, sources, foreign


def resolve(
    task: TaskSpec,
    cli_values: dict[str, Any],
    file_config: FileConfig | None = None,
    *,
    strict: bool = False,
    actions: frozenset[str] = frozenset(),
) -> Resolved:
    """Merge defaults < config file < flags, validate, and apply the compatibility rules."""
    from pydantic import ValidationError

    cls: type[CoreParams] = task.params_class()
    metas = cls.param_metas()
    layers = [(file_config.values, file_config.origin)] if file_config else []
    layers.append((cli_values, {k: f"flag {metas[k].flag}" if k in metas else f"flag --{k}" for k in cli_values}))
    values, sources, foreign = _merge_layers(task, metas, layers, strict)
    try:
        params = cls(**values)
    except ValidationError as exc:
        raise ParamError(_validation_message(exc, sources)) from None
    trainer: str | None = getattr(params, "trainer", None)
    if trainer is not None:
        trainer = task.trainer_aliases.get(trainer, trainer)
    warnings = apply_compatibility(
        params, trainer, list(sources), trainer_order=task.trainers, actions=actions, strict=strict
    )
    for name in warnings:
        if getattr(params, name) == metas[name].default:  # reset: the value did not come from the user after all
            sources.pop(name)
    warnings.update(foreign)
    warnings.update(overlap_warnings(params, sources, holdout=task.holdout_validation))
    unset = {
        k: v
        for k, v in (file_config.unset_env if file_config else {}).items()
        if sources.get(k, "").startswith("config")
    }
    if unset and getattr(params, "push_to_hub", False):
        for name, variable in unset.items():
            warnings[name] = f"Warning: {name} refers to ${{{variable}}}, which is not set; pushing will need it"
    check = getattr(params, "check", None)
    if check is not None:
        check()
    all_sources = {name: sources.get(name, DEFAULT) for name in metas}
    return Resolved(
        task=task,
        params=params,
        sources=all_sources,
        warnings=list(warnings.values()),
        strict=strict,
        unset_env=unset,
    )


def overlap_warnings(params: CoreParams, sources: dict[str, str], *, holdout: bool = False) -> dict[str, str]:
    """Explicit values that another explicit value (or a missing split) makes irrelevant."""
    out: dict[str, str] = {}
    warmup_both = "warmup_steps" in sources and "warmup_ratio" in sources
    if isinstance(params, OptimParams) and warmup_both and params.warmup_steps is not None:
        out["warmup_ratio"] = "Warning: warmup_ratio is replaced by --warmup-steps, will be ignored"
    evaluates = isinstance(params, LoggingParams) and "eval_strategy" in sources and params.eval_strategy != "no"
    if evaluates and isinstance(params, DataParams) and not params.valid_split and not holdout:
        out["eval_strategy"] = "Warning: eval_strategy needs --valid-split; no evaluation will run"
    return out


def explain(resolved: Resolved) -> str:
    """A table of every parameter's value and where it came from; secrets masked."""
    metas = type(resolved.params).param_metas()
    rows = []
    for name, meta in metas.items():
        value = getattr(resolved.params, name)
        shown = "***" if meta.secret and value else json.dumps(value, default=str)
        rows.append((name, shown, resolved.sources[name]))
    width = max(len(r[0]) for r in rows)
    lines = [f"Resolved parameters for 'aitraining {resolved.task.name}' (value, source):"]
    lines += [f"  {n.ljust(width)}  {v}  [{s}]" for n, v, s in rows]
    return "\n".join(lines)
