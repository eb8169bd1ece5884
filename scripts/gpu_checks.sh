#!/usr/bin/env bash
# Run the GPU tests (tests/gpu, marker `gpu`) on a machine with a CUDA GPU and write the results to $OUT:
#   gpu-junit.xml     pytest's junit report (numbers the tests record are <property> entries)
#   gpu-summary.json  counts, each test's outcome, time, failure/skip reason and recorded numbers, versions
#   gpu-pytest.log    the whole pytest output
# Usage: scripts/gpu_checks.sh [extra pytest args, e.g. -k qlora]
#
# Which Python runs (the GPU machine is assumed offline, with a python3 that has a CUDA build of torch):
#   1. $PYTHON if set; else .venv/bin/python if it exists and sees a GPU (a machine set up by scripts/setup.sh
#      with a CUDA torch);
#   2. else the system python3, with the repo's src/ on PYTHONPATH (the package is not installed). Packages that
#      python3 lacks (the run's first lines list them: often trl, datasets, pydantic, bitsandbytes, flash-attn)
#      are installed, without network and without their dependencies, from a wheel folder if there is one:
#      $AITRAINING_WHEELS, default .gpu-wheels/, into .gpu-site/ (first on PYTHONPATH, so it also overrides
#      older versions python3 has). Make the folder on a machine with internet, for the GPU machine's Python
#      version (3.12 here) and x86-64, e.g. (the lent H200 image, 2026-11, had torch, transformers 5.17, peft,
#      accelerate and pytest but no trl, datasets or pydantic; transformers is listed to test the pinned one):
#        pip download -d .gpu-wheels --no-deps --only-binary=:all: --python-version 3.12 \
#          --platform manylinux2014_x86_64 -c constraints.txt trl datasets dill multiprocess pydantic \
#          pydantic-core annotated-types typing-inspection transformers
#      .gpu-wheels/ is git-ignored: carry it (the device tool's `carry: [".gpu-wheels"]`; 64 MiB in all, so
#      bitsandbytes' large wheel may not fit, and the QLoRA tests then skip naming it). Without wheels, tests
#      needing a missing package fail or skip with its name.
# Limits: AITRAINING_GPU_TEST_TIMEOUT (default 300 s) per test, GPU_CHECKS_TIMEOUT (default 540 s) for the run.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT="${OUT:-$PWD/gpu-results}"
mkdir -p "$OUT"
export HF_HUB_OFFLINE=1 PYTHONUNBUFFERED=1 TOKENIZERS_PARALLELISM=false
export AITRAINING_GPU_TEST_TIMEOUT="${AITRAINING_GPU_TEST_TIMEOUT:-300}"

sees_gpu() { "$1" -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)" 2>/dev/null; }

if [ -n "${PYTHON:-}" ]; then
  PY="$PYTHON"
elif [ -x .venv/bin/python ] && sees_gpu .venv/bin/python; then
  PY=.venv/bin/python
else
  PY="$(command -v python3)"
  WHEELS="${AITRAINING_WHEELS:-.gpu-wheels}"
  if compgen -G "$WHEELS/*.whl" >/dev/null; then
    "$PY" -m pip install --quiet --no-index --no-deps --upgrade --target .gpu-site "$WHEELS"/*.whl \
      || echo "gpu_checks: installing the wheels from $WHEELS failed; going on with what $PY has"
    export PYTHONPATH="$PWD/.gpu-site${PYTHONPATH:+:$PYTHONPATH}"
  fi
fi
export PYTHONPATH="$PWD/src${PYTHONPATH:+:$PYTHONPATH}"
echo "gpu_checks: python $PY"

# What this Python has (written to the summary too); a missing package is reported here, not guessed at later.
"$PY" - >"$OUT/gpu-environment.json" <<'EOF'
import importlib, json, sys
found = {"python": sys.version.split()[0]}
for name in ("torch", "transformers", "trl", "peft", "accelerate", "datasets", "pydantic", "bitsandbytes",
             "flash_attn", "pytest", "pytest_timeout"):
    try:
        found[name] = getattr(importlib.import_module(name), "__version__", "present")
    except Exception as exc:
        found[name] = f"missing ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})"
try:
    import torch
    found["cuda"] = torch.version.cuda
    found["gpu"] = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none visible"
except Exception:
    pass
print(json.dumps(found, indent=2))
EOF
cat "$OUT/gpu-environment.json"

extra=()
# a hard backstop for a test stuck inside a CUDA call, where the conftest's SIGALRM cannot interrupt it
if "$PY" -c "import pytest_timeout" 2>/dev/null; then
  extra+=("--timeout=$((AITRAINING_GPU_TEST_TIMEOUT + 60))")
fi
timeout --signal=INT --kill-after=30 "${GPU_CHECKS_TIMEOUT:-540}" \
  "$PY" -m pytest tests/gpu -m gpu -q -rfEs -p no:cacheprovider -o junit_family=xunit1 \
  --junitxml="$OUT/gpu-junit.xml" "${extra[@]}" "$@" 2>&1 | tee "$OUT/gpu-pytest.log"
status=${PIPESTATUS[0]}

"$PY" - "$OUT" "$status" <<'EOF'
import json, sys, xml.etree.ElementTree as ET
from pathlib import Path
out, status = Path(sys.argv[1]), int(sys.argv[2])
summary = {"pytest_exit_code": status, "environment": json.loads((out / "gpu-environment.json").read_text())}
tests = {}
junit = out / "gpu-junit.xml"
if junit.is_file():
    for case in ET.parse(junit).getroot().iter("testcase"):
        outcome, reason = "passed", ""
        for kind in ("failure", "error", "skipped"):
            node = case.find(kind)
            if node is not None:
                outcome, reason = {"failure": "failed", "error": "error", "skipped": "skipped"}[kind], node.get("message", "")
        props = {p.get("name"): p.get("value") for p in case.iter("property")}
        tests[f"{case.get('classname')}::{case.get('name')}"] = {
            "outcome": outcome, "seconds": float(case.get("time", 0)), "reason": reason[:500], "recorded": props,
        }
summary["counts"] = {k: sum(t["outcome"] == k for t in tests.values()) for k in ("passed", "failed", "error", "skipped")}
summary["tests"] = tests
(out / "gpu-summary.json").write_text(json.dumps(summary, indent=2))
print(json.dumps(summary["counts"]), "->", out / "gpu-summary.json")
EOF
exit "$status"
