"""Generate the parameter reference (docs/parameters.md) from the declarations.

Run `python -m aitraining.params.docs > docs/parameters.md`; a test checks the file is current.
"""

from __future__ import annotations

from aitraining.params.compat import trainer_list
from aitraining.params.fields import ParamMeta
from aitraining.params.flags import flag_for
from aitraining.params.groups import ordered_groups
from aitraining.tasks.registry import TASKS

YES, NO, IGNORED = "✓", "✗", "⚠"


def compatibility_matrix(metas: dict[str, ParamMeta], trainers: tuple[str, ...]) -> dict[str, dict[str, bool]]:
    """{param: {trainer: applies}} straight from the declarations (the spec's matrix; `ignored_by` not included)."""
    return {name: {t: meta.trainers is None or t in meta.trainers for t in trainers} for name, meta in metas.items()}


def _mark(meta: ParamMeta, applies: bool, trainer: str) -> str:
    if not applies:
        return NO
    return IGNORED if trainer in meta.ignored_by else YES


def _ignored_notes(meta: ParamMeta) -> str:
    """' Not used by PPO (except adamw_torch, ...): why.' for each trainer that ignores the parameter."""
    notes = []
    for trainer, ignored in meta.ignored_by.items():
        used = f" (except {', '.join(f'`{v}`' for v in ignored.unless)})" if ignored.unless else ""
        notes.append(f" Not used by {trainer_list([trainer])}{used}: {ignored.reason}.")
    return "".join(notes)


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
            marks = "".join(f" {_mark(meta, matrix[pname][t], t)} |" for t in task.trainers)
            needs = f" Needs `{flag_for(meta.requires)}`." if meta.requires else ""
            desc = (meta.help + needs + _ignored_notes(meta)).replace("|", "\\|")
            lines.append(f"| {pname} | `{meta.flag}` | {_default(meta)} |{marks} {desc} |".replace("|  |", "| |"))
        lines.append("")
    return lines


def render() -> str:
    lines = [
        "# Parameter reference",
        "",
        "Generated from the parameter declarations by `python -m aitraining.params.docs`; do not edit by hand.",
        "A parameter set for a trainer it does not apply to (✗) prints a warning and is ignored;",
        "so does one that the spec lists for a trainer which has no use for it (⚠, the reason is in the",
        "description). `--strict` makes both an error. Flags also accept snake_case (`--lora_r`).",
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
