"""How a parameter is declared: one pydantic field carrying its help, group and applicability.

Everything user-facing about a parameter (CLI flag, `--help` group, YAML validation, compatibility
warnings, the docs' tables) is generated from these declarations, so each fact lives here once.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass, field
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field
from pydantic.fields import FieldInfo

from aitraining.params.flags import flag_for

_META_KEY = "aitraining"


@dataclass(frozen=True)
class Ignored:
    """Why a trainer ignores a parameter it accepts; `unless` lists values that trainer does use."""

    reason: str
    unless: tuple[Any, ...] = ()

    def applies_to(self, value: Any) -> bool:
        return value not in self.unless


@dataclass(frozen=True)
class ParamMeta:
    """What the generated CLI, docs and compatibility checks need to know about one parameter."""

    name: str
    help: str
    group: str
    trainers: frozenset[str] | None  # None: applies to every trainer of the command
    requires: str | None  # a boolean switch that must be on for this parameter to matter
    secret: bool
    annotation: Any
    default: Any
    # Trainers that accept the parameter but do not use it (a warning at resolve time, an error
    # with --strict): {trainer: Ignored}. `trainers` says which trainers the spec gives it to.
    ignored_by: dict[str, Ignored] = field(default_factory=dict)
    notice: str | None = None  # accepted but not (yet) acted on: said whenever the user sets it

    @property
    def flag(self) -> str:
        return flag_for(self.name)

    @property
    def choices(self) -> tuple[Any, ...] | None:
        inner = unwrap_optional(self.annotation)
        if get_origin(inner) is Literal:
            return tuple(get_args(inner))
        return None

    @property
    def base_type(self) -> Any:
        inner = unwrap_optional(self.annotation)
        if get_origin(inner) is Literal:
            return type(get_args(inner)[0])
        return get_origin(inner) or inner


def param(
    default: Any,
    help: str,
    *,
    group: str,
    trainers: tuple[str, ...] | None = None,
    requires: str | None = None,
    secret: bool = False,
    ignored_by: dict[str, str | Ignored] | None = None,
    notice: str | None = None,
    ge: float | None = None,
    gt: float | None = None,
    le: float | None = None,
    lt: float | None = None,
) -> Any:
    """Declare one parameter. `trainers` lists the trainers it applies to (None: all of them);
    `ignored_by` names trainers that accept it but do not use it, with the reason users are shown;
    `notice` is said whenever the user sets it (a parameter accepted for compatibility but not acted on);
    `ge`/`gt`/`le`/`lt` are pydantic's bounds, checked before anything is loaded."""
    extra = {
        "group": group,
        "trainers": trainers,
        "requires": requires,
        "secret": secret,
        "ignored_by": _ignored_as_data(ignored_by or {}),
        "notice": notice,
    }
    schema_extra: dict[str, Any] = {_META_KEY: extra}
    return Field(default, description=help, json_schema_extra=schema_extra, ge=ge, gt=gt, le=le, lt=lt)


def _ignored_as_data(ignored_by: dict[str, str | Ignored]) -> dict[str, dict[str, Any]]:
    """Plain data (JSON-schema safe) for the field's metadata; `field_meta` turns it back."""
    as_ignored = {t: Ignored(why) if isinstance(why, str) else why for t, why in ignored_by.items()}
    return {t: {"reason": i.reason, "unless": list(i.unless)} for t, i in as_ignored.items()}


def ignored_in(base: type[ParamsBase], name: str, ignored_by: dict[str, str | Ignored]) -> Any:
    """A shared parameter that some of this command's trainers ignore (everything else stays declared once).

    Usage in a task's params class:
    `gradient_accumulation: int = ignored_in(CommonParams, "gradient_accumulation", {"ppo": "why"})`.
    """
    info = base.model_fields[name]
    extra = dict(_meta_data(info))
    extra["ignored_by"] = {**extra.get("ignored_by", {}), **_ignored_as_data(ignored_by)}
    return FieldInfo.merge_field_infos(info, json_schema_extra={_META_KEY: extra})


def unwrap_optional(annotation: Any) -> Any:
    origin = get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def _meta_data(info: FieldInfo) -> dict[str, Any]:
    """The aitraining metadata `param` stored on a field ({} for a field declared without it)."""
    schema_extra = info.json_schema_extra
    extra = schema_extra.get(_META_KEY) if isinstance(schema_extra, dict) else None
    return extra if isinstance(extra, dict) else {}


def field_meta(name: str, info: FieldInfo) -> ParamMeta:
    extra = _meta_data(info)
    trainers = extra.get("trainers")
    return ParamMeta(
        name=name,
        help=info.description or "",
        group=extra.get("group", "Other"),
        trainers=frozenset(trainers) if trainers is not None else None,
        requires=extra.get("requires"),
        secret=bool(extra.get("secret")),
        annotation=info.annotation,
        default=info.default,
        ignored_by={t: Ignored(i["reason"], tuple(i["unless"])) for t, i in extra.get("ignored_by", {}).items()},
        notice=extra.get("notice"),
    )


class ParamsBase(BaseModel):
    """Base of every command's parameter model: unknown keys are errors, assignment is validated."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, protected_namespaces=())

    @classmethod
    def param_metas(cls) -> dict[str, ParamMeta]:
        return {name: field_meta(name, info) for name, info in cls.model_fields.items()}

    def public_dict(self) -> dict[str, Any]:
        """All values with every secret removed: what may be written to disk or logs."""
        metas = self.param_metas()
        return {k: v for k, v in self.model_dump(mode="json").items() if not metas[k].secret}


def retuned(base: type[ParamsBase], name: str, default: Any) -> Any:
    """A shared parameter with a task-specific default (help, group and bounds stay declared once).

    Usage in a task's params class: `lr: float = retuned(CommonParams, "lr", 5e-5)`.
    """
    return FieldInfo.merge_field_infos(base.model_fields[name], default=default)


def reused(base: type[ParamsBase], name: str) -> Any:
    """A shared parameter taken over as declared (help, group, default and bounds stay declared once).

    Usage in a task's params class: `seed: int = reused(OptimParams, "seed")`.
    """
    return base.model_fields[name]
