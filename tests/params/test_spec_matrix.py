"""The compatibility matrix generated from the declarations must equal the spec's tables."""

import re
from pathlib import Path

import pytest

from aitraining.params.docs import compatibility_matrix, render
from aitraining.tasks.llm.params import LLMParams
from aitraining.tasks.registry import TASKS

ROOT = Path(__file__).resolve().parents[2]
SPEC_CANDIDATES = [
    ROOT / "docs" / "spec" / "PARAMETER_COMPATIBILITY.md",
    ROOT.parent / "shared" / "spec" / "PARAMETER_COMPATIBILITY.md",
]
TRAINERS = TASKS["llm"].trainers  # the registry's list, which the spec's column headers must match


def spec_text() -> str:
    for path in SPEC_CANDIDATES:
        if path.is_file():
            return path.read_text()
    pytest.fail("spec PARAMETER_COMPATIBILITY.md not found")


def spec_rows() -> dict[str, dict[str, bool]]:
    """Rows of the spec's per-trainer tables; 'All Trainers' tables count as every trainer."""
    rows: dict[str, dict[str, bool]] = {}
    for line in spec_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 7 and cells[1] in ("✓", "✗"):
            rows[cells[0]] = {t: c == "✓" for t, c in zip(TRAINERS, cells[1:], strict=True)}
        elif len(cells) == 2 and cells[1] == "✓" and re.fullmatch(r"[a-z_]+", cells[0]):
            rows[cells[0]] = dict.fromkeys(TRAINERS, True)
    return rows


def test_spec_columns_are_the_registered_trainers():
    headers = {line for line in spec_text().splitlines() if line.startswith("| Parameter | generic")}
    assert headers == {"| Parameter | " + " | ".join(TRAINERS) + " |"}


def test_spec_tables_are_parsed():
    rows = spec_rows()
    assert len(rows) >= 40
    assert rows["rl_gamma"] == {t: t == "ppo" for t in TRAINERS}


def test_generated_matrix_equals_spec():
    generated = compatibility_matrix(LLMParams.param_metas(), TRAINERS)
    mismatches = {
        name: (want, generated.get(name)) for name, want in spec_rows().items() if generated.get(name) != want
    }
    assert mismatches == {}


def test_docs_reference_is_current():
    committed = (ROOT / "docs" / "parameters.md").read_text()
    assert committed == render(), "run: python -m aitraining.params.docs > docs/parameters.md"
