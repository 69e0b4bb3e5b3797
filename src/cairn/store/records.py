"""Plain records the registry store reads and writes (no pydantic: they sit on the CLI path)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cairn.enums import StackComponentType


@dataclass(frozen=True)
class ComponentRecord:
    """A registered stack component: its identity, flavor and configuration."""

    uuid: str
    type: StackComponentType
    flavor: str
    name: str
    config: dict[str, Any] = field(default_factory=dict)
    created: float = 0.0
    updated: float = 0.0
    #: Optimistic version: increments with every update (updates check it).
    version: int = 1


@dataclass(frozen=True)
class StackRecord:
    """A registered stack: component names keyed by type."""

    uuid: str
    name: str
    components: dict[StackComponentType, str] = field(default_factory=dict)
    created: float = 0.0
    updated: float = 0.0
    #: Optimistic version: increments with every update (updates check it).
    version: int = 1


@dataclass(frozen=True)
class FlavorRecord:
    """A flavor registered by a user: its type, name and import path."""

    type: StackComponentType
    name: str
    source: str
    created: float = 0.0
