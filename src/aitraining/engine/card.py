"""The model card written into every project folder."""

from __future__ import annotations

import json
from typing import Any

PRETRAINED_LIBRARIES = ("transformers", "sentence-transformers", "peft")


def render_card(
    *,
    title: str,
    base_model: str,
    task: str,
    trainer: str | None,
    data: str,
    params: dict[str, Any],
    metrics: dict[str, Any],
    notes: list[str] | None = None,
    library: str = "transformers",
) -> str:
    front = ["---", f"library_name: {library}", "tags:", "- aitraining", f"- {task}"]
    if trainer:
        front.append(f"- {trainer}")
    pretrained = library in PRETRAINED_LIBRARIES  # otherwise `model` names an algorithm (tabular)
    if pretrained and not base_model.startswith((".", "/")):
        front.append(f"base_model: {base_model}")
    front.append("---")
    shown = {k: v for k, v in params.items() if v is not None}
    lines = [
        *front,
        "",
        f"# {title}",
        "",
        f"Trained with [aitraining](https://github.com/) `{task}`" + (f" (trainer `{trainer}`)." if trainer else "."),
        "",
        f"- **{'Base model' if pretrained else 'Model'}:** `{base_model}`",
        f"- **Data:** {data}",
        "",
    ]
    for note in notes or []:
        lines += [note, ""]
    lines += ["## Final metrics", "", "```json", json.dumps(metrics, indent=2, default=str), "```", ""]
    lines += ["## Parameters", "", "```json", json.dumps(shown, indent=2, default=str), "```", ""]
    return "\n".join(lines)
