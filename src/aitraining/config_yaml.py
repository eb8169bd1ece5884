"""Read a YAML config file and remember where each key sits, so errors can name its line and column."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aitraining.errors import ParamError

# (section, key) or (key,) -> (line, column), both counted from 1
Positions = dict[tuple[str, ...], tuple[int, int]]


def read_yaml(file: Path) -> tuple[Any, Positions]:
    """The parsed document and the position of every mapping key; broken syntax is a ParamError."""
    import yaml

    try:
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParamError(f"Config file {file} is not UTF-8 text ({exc.reason}). Save it as UTF-8.") from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        raise ParamError(_syntax_message(file, exc)) from None
    except yaml.YAMLError as exc:
        raise ParamError(f"Config file {file} is not valid YAML ({exc}).") from None
    positions: Positions = {}
    _walk(node, (), positions)
    return data, positions


def where(positions: Positions, *path: str) -> str:
    """', line L, column C' for a key, or '' when it is unknown."""
    found = positions.get(tuple(path))
    return f", line {found[0]}, column {found[1]}" if found else ""


def _syntax_message(file: Path, exc: Any) -> str:
    mark = exc.problem_mark or exc.context_mark
    place = f", line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    problem = " ".join(str(exc.problem or "syntax error").split())
    context = f" {' '.join(str(exc.context).split())}" if exc.context else ""
    opened = exc.context_mark
    if context and opened is not None and opened is not mark:
        context += f" (opened at line {opened.line + 1}, column {opened.column + 1})"
    return (
        f"Config file {file}{place}: not valid YAML ({problem}{';' + context if context else ''}). "
        "Fix the syntax there: check the indentation, the 'key: value' colons and closing brackets or quotes."
    )


def _walk(node: Any, path: tuple[str, ...], positions: Positions) -> None:
    import yaml

    if not isinstance(node, yaml.MappingNode):
        return
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            continue
        key = (*path, str(key_node.value))
        positions[key] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
        if len(key) < 3:  # sections and their keys (data.column_mapping.x) are enough
            _walk(value_node, key, positions)
