"""The model card (README.md) written into every project folder.

What it shows: hub metadata, how to load and run exactly what was saved, the data, the final and
best metrics with the pictures, and the parameters that applied to the trainer that ran (non-defaults
first). Loading snippets are declared per kind of saved model in `usage.py`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aitraining.engine.best import describe_best

HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
HUB_LIBRARIES = {"scikit-learn": "sklearn"}  # the Hub's library_name spelling
SKIP_METRICS = ("runtime", "per_second", "total_flos", "num_tokens")


@dataclass
class CardInput:
    """Everything the card shows; assembled by engine.runner.finish from the run."""

    title: str
    command: str
    trainer: str | None
    base_model: str
    library: str
    pipeline_tag: str | None
    data_path: str
    data_description: str
    applied: dict[str, tuple[Any, Any]]  # name -> (value, default), only parameters that applied
    not_applied: dict[str, str]  # name -> why it did not apply
    columns: dict[str, Any]
    final: dict[str, Any]
    best: dict[str, Any] | None
    plots: list[str]
    usage: str | None
    notes: list[str] = field(default_factory=list)
    best_selection: bool = True  # False for runs without Trainer checkpoints (tabular: its search picks)
    sections: list[str] = field(default_factory=list)  # markdown blocks from features, after the results


def is_hub_id(name: str) -> bool:
    """A Hub repository id (not a local folder): only those are linked in the metadata."""
    return bool(HUB_ID.match(name)) and not Path(name).exists()


def front_matter(card: CardInput) -> list[str]:
    lines = ["---", f"library_name: {HUB_LIBRARIES.get(card.library, card.library)}"]
    if card.library != "scikit-learn" and is_hub_id(card.base_model):
        lines.append(f"base_model: {card.base_model}")
    if is_hub_id(card.data_path):
        lines += ["datasets:", f"- {card.data_path}"]
    if card.pipeline_tag:
        lines.append(f"pipeline_tag: {card.pipeline_tag}")
    lines += ["tags:", "- aitraining", f"- {card.command}"] + ([f"- {card.trainer}"] if card.trainer else [])
    return [*lines, "---"]


def _value(value: Any) -> str:
    return f"`{json.dumps(value, default=str)}`"


def metrics_section(card: CardInput) -> list[str]:
    shown = {k: v for k, v in card.final.items() if not any(s in k for s in SKIP_METRICS)}
    lines = ["## Results", "", "| metric | value |", "|---|---|"]
    lines += [f"| {k} | {v:.4f} |" if isinstance(v, float) else f"| {k} | {v} |" for k, v in shown.items()]
    lines.append("")
    if card.best_selection:
        lines += [describe_best(card.best), ""]
    lines += [f"![{Path(p).stem.replace('_', ' ')}]({p})" for p in card.plots]
    return [*lines, ""] if card.plots else lines


def data_section(card: CardInput) -> list[str]:
    lines = ["## Data", "", f"- **Source:** `{card.data_path}`", f"- **Rows:** {card.data_description}"]
    if card.columns:
        lines.append("- **Columns:** " + ", ".join(f"{k} = {_value(v)}" for k, v in card.columns.items()))
    lines.append("")
    for note in card.notes:  # the task's own notes: truncation counts, data preparation, ...
        lines += [note, ""]
    return lines


def params_section(card: CardInput) -> list[str]:
    changed = {k: v for k, (v, default) in card.applied.items() if v != default}
    defaults = {k: v for k, (v, default) in card.applied.items() if v == default}
    lines = ["## Parameters", "", "Set for this run (the others applied with their defaults):", ""]
    lines += ["| parameter | value |", "|---|---|", *(f"| {k} | {_value(v)} |" for k, v in changed.items())]
    lines += ["", "<details><summary>Defaults that applied</summary>", "", "| parameter | value |", "|---|---|"]
    lines += [*(f"| {k} | {_value(v)} |" for k, v in defaults.items()), "", "</details>", ""]
    if card.not_applied:
        lines += [
            f"{len(card.not_applied)} parameters do not apply to this trainer and are not shown; "
            "`training_params.json` lists them under `_not_applied`.",
            "",
        ]
    return lines


def render_card(card: CardInput) -> str:
    what = f"`aitraining {card.command}`" + (f" with the `{card.trainer}` trainer" if card.trainer else "")
    base = f"`{card.base_model}`"
    lines = [*front_matter(card), "", f"# {card.title}", "", f"Trained with {what} from {base}.", ""]
    if card.usage:
        lines += ["## Use", "", "```python", card.usage.rstrip(), "```", ""]
    lines += [*metrics_section(card), *card.sections, *data_section(card), *params_section(card)]
    return "\n".join(lines)
