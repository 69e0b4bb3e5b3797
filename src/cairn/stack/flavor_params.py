"""What ``cairn <type> flavor describe FLAVOR`` shows: every parameter of a flavor.

Each configuration field of the flavor class gives one :class:`FlavorParameter`:
its name, type, default (or "required"), whether it holds a secret, and its
description: the field's ``description`` if set, else the line the class's
docstring gives it under ``Attributes:`` (Google style, as Cairn's flavors do).
"""

from __future__ import annotations

import inspect
import re
import typing
from typing import Any

from pydantic_core import PydanticUndefined

from cairn.stack.flavor_param_table import FlavorParameter

_BASE_FIELDS = {"name", "uuid"}


def type_name(annotation: Any) -> str:
    """A short readable name of a type annotation (``int``, ``str | None``, ``list[str]``)."""
    if annotation is None or annotation is type(None):
        return "None"
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return " | ".join(repr(a) for a in typing.get_args(annotation))
    if origin is not None:
        args = [type_name(a) for a in typing.get_args(annotation)]
        if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
            return " | ".join(args)
        base = getattr(origin, "__name__", str(origin))
        return f"{base}[{', '.join(args)}]" if args else base
    return getattr(annotation, "__name__", str(annotation).replace("typing.", ""))


def _docstring_attributes(cls: type) -> dict[str, str]:
    """``Attributes:`` entries of the docstrings of ``cls`` and its bases (first line each)."""
    found: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        doc = inspect.getdoc(klass) or ""
        section = re.split(r"^\s*Attributes:\s*$", doc, maxsplit=1, flags=re.M)
        if len(section) < 2:
            continue
        entries: dict[str, str] = {}
        current = None
        for line in section[1].splitlines():
            match = re.match(r"^\s{0,8}(\w+)(?:\s*\([^)]*\))?:\s*(.*)$", line)
            if match and (not line.startswith(" " * 9)):
                current = match.group(1)
                entries[current] = match.group(2).strip()
            elif current and line.strip():
                entries[current] = (entries[current] + " " + line.strip()).strip()
            elif not line.strip() and current:
                current = None
        found.update(entries)
    return found


def flavor_parameters(cls: Any) -> list[FlavorParameter]:
    """The parameters of a flavor class (a :class:`~cairn.stack.StackComponent` subclass)."""
    docs = _docstring_attributes(cls)
    secrets = cls.secret_fields()
    out = []
    for name, field in cls.model_fields.items():
        if name in _BASE_FIELDS:
            continue
        required = field.is_required()
        if required:
            default = "required"
        elif field.default_factory is not None:
            default = repr(field.default_factory())
        elif field.default is PydanticUndefined:
            default = "-"
        else:
            default = repr(field.default)
        out.append(
            FlavorParameter(
                name=name,
                type=type_name(field.annotation),
                default=default,
                required=required,
                secret=name in secrets,
                description=field.description or docs.get(name, ""),
            )
        )
    return out
