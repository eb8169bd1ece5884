#!/usr/bin/env bash
# Create .venv and install aitraining with the pinned, tested dependency set (constraints.txt).
# torch is pinned in the same command so pip takes the CPU wheel instead of resolving a CUDA build.
# On machines whose pip has no local CPU wheel, set PIP_EXTRA_INDEX_URL=https://download.pytorch.org/whl/cpu
# (pip reads it from the environment) to get the CPU build rather than PyPI's CUDA one.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check "torch==2.13.0" -c constraints.txt -e ".[dev]"
