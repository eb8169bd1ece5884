"""Why a case of ours is more than 10% slower than its plain script on the training loop, when we know
and it is not our overhead to remove (filled from profiling; bench/README.md explains each)."""

from __future__ import annotations

SLOWER_NOTES: dict[str, str] = {}
