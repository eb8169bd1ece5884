#!/usr/bin/env bash
# Set up, then fine-tune a tiny model offline on the shipped sample chat data and show its answers.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
HF_HUB_OFFLINE=1 .venv/bin/python -m aitraining.demo
