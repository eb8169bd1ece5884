"""The search space: `--sweep-params` read, checked against the command's parameters, turned into optuna calls.

Every problem is one ParamError before the first trial: an unknown name (with a did-you-mean), a malformed
entry, low >= high, a loguniform range touching 0, or a value the parameter itself refuses (each choice,
grid point and range end is validated through the command's params model).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aitraining.errors import ParamError
from aitraining.params.groups import SWEEP
from aitraining.suggest import suggest

if TYPE_CHECKING:
    from aitraining.config import Resolved

KINDS = ("loguniform", "uniform", "int", "categorical")
KEYS = {
    "loguniform": ("type", "low", "high"),
    "uniform": ("type", "low", "high", "step"),
    "int": ("type", "low", "high", "step", "log"),
    "categorical": ("type", "choices"),
}
LEGACY_KEYS = ("low", "high", "log", "step")  # {"low": .., "high": .., "log": true}: the old help's example
NOT_SEARCHABLE = ("project_name",)
GRID_LIMIT = 10_000
SYNTAX = (
    'Write a list for categorical values ([8, 16]) or an object {"type": "loguniform"|"uniform"|"int"|'
    '"categorical", "low": .., "high": .., "step": .., "choices": [..]}.'
)


@dataclass(frozen=True)
class Dimension:
    name: str
    kind: str
    low: float = 0.0  # ranges only (an int range holds ints)
    high: float = 0.0
    step: float | None = None
    log: bool = False
    choices: tuple[Any, ...] = ()

    def suggest(self, trial: Any) -> Any:
        """The trial's value (optuna's suggest_* API)."""
        if self.kind == "categorical":
            return trial.suggest_categorical(self.name, list(self.choices))
        if self.kind == "int":
            return trial.suggest_int(self.name, int(self.low), int(self.high), step=int(self.step or 1), log=self.log)
        return trial.suggest_float(self.name, self.low, self.high, step=self.step, log=self.kind == "loguniform")

    def grid_points(self) -> list[Any]:
        if self.kind == "categorical":
            return list(self.choices)
        if self.kind == "int" and not self.log:
            return list(range(int(self.low), int(self.high) + 1, int(self.step or 1)))
        if self.kind == "uniform" and self.step:
            count = math.floor((self.high - self.low) / self.step + 1e-9) + 1
            return [round(self.low + i * self.step, 12) for i in range(count)]
        raise ParamError(
            f"--sweep-backend grid needs explicit points for '{self.name}' "
            f"({self.kind} range {self.low}..{self.high}): "
            f'give a list of values, e.g. "{self.name}": [{self.low}, {self.high}], or a uniform/int range with '
            '"step"; or use --sweep-backend optuna or random for continuous ranges.'
        )

    def checked_values(self) -> list[Any]:
        """The values validated through the params model: every choice, or the ends of a range."""
        return list(self.choices) if self.kind == "categorical" else [self.low, self.high]


def parse_space(raw: dict[str, Any] | None, resolved: Resolved) -> list[Dimension]:
    """The checked search space; raises ParamError naming the first problem."""
    if not raw:
        raise ParamError(f"--use-sweep needs a search space in --sweep-params. {SYNTAX}")
    metas = type(resolved.params).param_metas()
    dims = []
    for name, spec in raw.items():
        if name not in metas:
            raise ParamError(
                f"--sweep-params names '{name}', which 'aitraining {resolved.task.name}' does not accept."
                f"{suggest(name, metas)} Keys are parameter names as in a config file (lr, lora_r, batch_size, ...)."
            )
        if metas[name].group == SWEEP or name in NOT_SEARCHABLE:
            raise ParamError(f"--sweep-params cannot search '{name}': it configures the sweep itself.")
        check_applies(resolved, name)
        dim = parse_dimension(name, spec)
        for value in dim.checked_values():
            check_value(resolved, name, value)
        dims.append(dim)
    return dims


def parse_dimension(name: str, spec: Any) -> Dimension:
    where = f"--sweep-params '{name}'"
    if isinstance(spec, list):
        spec = {"type": "categorical", "choices": spec}
    if not isinstance(spec, dict):
        raise ParamError(f"{where} is {spec!r}; to fix one value, leave it out of the search and set it. {SYNTAX}")
    if "type" not in spec and set(spec) <= set(LEGACY_KEYS) and {"low", "high"} <= set(spec):
        spec = {**spec, "type": legacy_kind(spec)}
    kind = spec.get("type")
    if kind not in KINDS:
        raise ParamError(f"{where} has type {kind!r}: use one of {', '.join(KINDS)}. {SYNTAX}")
    allowed = KEYS[kind] if "log" not in spec or kind == "int" else (*KEYS[kind], "log")
    unknown = [k for k in spec if k not in allowed]
    if unknown:
        raise ParamError(f"{where} ({kind}) has unknown key(s) {', '.join(unknown)}; allowed: {', '.join(allowed)}.")
    if kind == "categorical":
        choices = spec.get("choices")
        if not isinstance(choices, list) or not choices:
            raise ParamError(f'{where} needs a non-empty list of values ("choices": [..]).')
        return Dimension(name, kind, choices=tuple(choices))
    return range_dimension(name, kind, spec)


def legacy_kind(spec: dict[str, Any]) -> str:
    both_int = all(isinstance(spec[k], int) and not isinstance(spec[k], bool) for k in ("low", "high"))
    if both_int:
        return "int"
    return "loguniform" if spec.get("log") else "uniform"


def range_dimension(name: str, kind: str, spec: dict[str, Any]) -> Dimension:
    where = f"--sweep-params '{name}'"
    low: Any = spec.get("low")
    high: Any = spec.get("high")
    step: Any = spec.get("step")
    number = int if kind == "int" else (int, float)
    for key, value in (("low", low), ("high", high), ("step", step)):
        if key != "step" and value is None:
            raise ParamError(f'{where} ({kind}) needs "low" and "high".')
        if value is not None and (isinstance(value, bool) or not isinstance(value, number)):
            shown = "an integer" if kind == "int" else "a number"
            raise ParamError(f'{where}: "{key}" must be {shown}, got {value!r}.')
    if low >= high:
        raise ParamError(f'{where}: "low" ({low}) must be below "high" ({high}).')
    if kind == "loguniform" and low <= 0:
        raise ParamError(f'{where}: a loguniform range needs "low" > 0 (got {low}); use uniform to include 0.')
    if step is not None and (step <= 0 or step > high - low):
        raise ParamError(f'{where}: "step" ({step}) must be > 0 and at most high - low ({high - low}).')
    log = bool(spec.get("log")) and kind == "int"
    if log and (low <= 0 or step not in (None, 1)):
        raise ParamError(f'{where}: a log int range needs "low" >= 1 and no step.')
    return Dimension(name, kind, low=low, high=high, step=step, log=log)


def check_applies(resolved: Resolved, name: str) -> None:
    """A parameter the trial would ignore (another trainer's, or one whose switch is off) is not searched."""
    from aitraining.params.compat import ignored_reason

    meta = type(resolved.params).param_metas()[name]
    reason = ignored_reason(meta, resolved.params, resolved.trainer, resolved.task.trainers)
    if reason or meta.notice:
        raise ParamError(
            f"--sweep-params searches '{name}', which {reason or meta.notice} here: every trial would ignore it. "
            f"Turn on what it needs, or leave it out of the search space."
        )


def check_value(resolved: Resolved, name: str, value: Any) -> None:
    """Validate one value through the command's params model (bounds, choices, types)."""
    from pydantic import ValidationError

    cls = type(resolved.params)
    values = {**resolved.params.model_dump(), name: value}
    try:
        cls(**values)
    except ValidationError as exc:
        reasons = "; ".join(e["msg"] for e in exc.errors() if e["loc"] and e["loc"][0] == name)
        if reasons:
            raise ParamError(
                f"--sweep-params '{name}': the value {value!r} is not valid for {name} ({reasons}). "
                f"Change the search space to values {name} accepts."
            ) from None


def grid_space(dims: list[Dimension]) -> dict[str, list[Any]]:
    space = {d.name: d.grid_points() for d in dims}
    size = math.prod(len(v) for v in space.values())
    if size > GRID_LIMIT:
        raise ParamError(f"The grid has {size} points (over {GRID_LIMIT}): use fewer values or --sweep-backend optuna.")
    return space
