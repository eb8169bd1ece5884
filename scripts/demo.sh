#!/usr/bin/env bash
# Set up, then train a tiny model from scratch offline on a rule (reverse three words) and show its
# answers to held-out prompts before and after training.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
HF_HUB_OFFLINE=1 .venv/bin/python -m aitraining.demo
