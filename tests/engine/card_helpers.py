"""Checks shared by the card / plot / best-checkpoint tests of the LLM, text and tabular commands."""

from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def assert_png(path: Path) -> None:
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC and len(data) > 5_000, path  # a real picture, not an empty canvas


def front_matter(card: str) -> dict[str, str]:
    block = card.split("---")[1]
    return dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)


def usage_code(card: str) -> str:
    match = re.search(r"## Use\n\n```python\n(.*?)```", card, re.S)
    assert match, card
    return match.group(1)


def run_usage(card: str) -> str:
    """Execute the card's snippet as a user would and return what it printed."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(usage_code(card), "README.md", "exec"), {})
    printed = out.getvalue().strip()
    assert printed, "the usage snippet printed nothing"
    return printed


def assert_common_card(project: Path) -> str:
    card = (project / "README.md").read_text()
    assert "https://github.com/)" not in card and "](https://github.com/" not in card  # no placeholder links
    assert "## Results" in card and "## Data" in card and "## Parameters" in card
    for picture in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", card):
        assert_png(project / picture)
    return card


def eval_losses(project: Path) -> dict[int, float]:
    history = json.loads((project / "metrics.json").read_text())["history"]
    return {h["step"]: h["eval_loss"] for h in history if "eval_loss" in h}
