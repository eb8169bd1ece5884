#!/usr/bin/env bash
# Set up, then run the linter, the formatter check, the type checker and the offline CPU test suite
# (extra pytest arguments are passed on).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
.venv/bin/ruff check src tests
.venv/bin/ruff format --check src tests
.venv/bin/mypy
HF_HUB_OFFLINE=1 .venv/bin/python -m pytest "$@"
