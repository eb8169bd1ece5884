#!/usr/bin/env bash
# Create .venv and install aitraining with the pinned, tested dependency set (constraints.txt).
# torch is pinned in the same command so pip takes the CPU wheel instead of resolving a CUDA build.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check "torch==2.13.0" -c constraints.txt -e ".[dev]"
