"""`aitraining tools ...` helper commands."""

from __future__ import annotations

from aitraining.errors import NotAvailableError

TOOLS = {"merge-llm-adapter": "Merge a LoRA adapter into its base model."}


def run_tools(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print("usage: aitraining tools <helper> ...\n\nHelpers:")
        for name, summary in TOOLS.items():
            print(f"  {name}  {summary}")
        return 0
    raise NotAvailableError(f"'aitraining tools {argv[0]}' is not available in this version yet.")
