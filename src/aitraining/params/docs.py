"""Generate the parameter reference (docs/parameters.md) from the declarations.

Run `python -m aitraining.params.docs > docs/parameters.md`; a test checks the file is current.
"""

from __future__ import annotations

from aitraining.params.fields import ParamMeta
from aitraining.params.groups import ordered_groups
from aitraining.tasks.registry import TASKS

YES, NO = "✓", "✗"


def compatibility_matrix(metas: dict[str, ParamMeta], trainers: tuple[str, ...]) -> dict[str, dict[str, bool]]:
    """{param: {trainer: applies}} straight from the declarations."""
    return {name: {t: meta.trainers is None or t in meta.trainers for t in trainers} for name, meta in metas.items()}


def _default(meta: ParamMeta) -> str:
    return "" if meta.default is None or meta.secret else f"`{meta.default}`"


def command_section(name: str) -> list[str]:
    task = TASKS[name]
    metas = task.params_class().param_metas()
    lines = [f"## `aitraining {name}`", "", task.summary, ""]
    matrix = compatibility_matrix(metas, task.trainers)
    for group in ordered_groups(list(dict.fromkeys(m.group for m in metas.values()))):
        lines += [f"### {group}", ""]
        trainer_cells = "".join(f" {t} |" for t in task.trainers)
        lines += [
            f"| Parameter | Flag | Default |{trainer_cells} Description |",
            "|" + "---|" * (4 + len(task.trainers)),
        ]
        for pname, meta in metas.items():
            if meta.group != group:
                continue
            marks = "".join(f" {YES if matrix[pname][t] else NO} |" for t in task.trainers)
            desc = meta.help.replace("|", "\\|") + (
                f" Needs `--{meta.requires.replace('_', '-')}`." if meta.requires else ""
            )
            lines.append(f"| {pname} | `{meta.flag}` | {_default(meta)} |{marks} {desc} |".replace("|  |", "| |"))
        lines.append("")
    return lines


def render() -> str:
    lines = [
        "# Parameter reference",
        "",
        "Generated from the parameter declarations by `python -m aitraining.params.docs`; do not edit by hand.",
        "A parameter set for a trainer it does not apply to (✗) prints a warning and is ignored;",
        "`--strict` makes that an error. Flags also accept snake_case (`--lora_r`).",
        "",
    ]
    for name, task in TASKS.items():
        if task.available:
            lines += command_section(name)
    unavailable = [n for n, t in TASKS.items() if not t.available]
    lines += ["## Not available yet", "", ", ".join(f"`{n}`" for n in unavailable), ""]
    return "\n".join(lines)


if __name__ == "__main__":
    print(render(), end="")
