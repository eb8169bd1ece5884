"""How a parameter is declared: one pydantic field carrying its help, group and applicability.

Everything user-facing about a parameter (CLI flag, `--help` group, YAML validation, compatibility
warnings, the docs' tables) is generated from these declarations, so each fact lives here once.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field
from pydantic.fields import FieldInfo

_META_KEY = "aitraining"


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
    notice: str | None = None  # accepted but not (yet) acted on: said whenever the user sets it

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

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
    notice: str | None = None,
    **bounds: float,
) -> Any:
    """Declare one parameter. `trainers` lists the trainers it applies to (None: all of them);
    `notice` is said whenever the user sets it (a parameter accepted for compatibility but not acted on);
    `bounds` are pydantic's ge/gt/le/lt, checked before anything is loaded."""
    extra = {"group": group, "trainers": trainers, "requires": requires, "secret": secret, "notice": notice}
    return Field(default, description=help, json_schema_extra={_META_KEY: extra}, **bounds)


def unwrap_optional(annotation: Any) -> Any:
    origin = get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def field_meta(name: str, info: FieldInfo) -> ParamMeta:
    extra = (info.json_schema_extra or {}).get(_META_KEY, {})  # type: ignore[union-attr]
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
