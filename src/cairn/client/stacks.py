"""Read-only summaries of registered stacks and their components, secrets masked.

The dashboard and other read-only tools use these instead of the registry's
records, so that no secret value leaves the registry: a component's
configuration is the registry's masked view (secret fields replaced by
``********``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cairn.enums import StackComponentType

if TYPE_CHECKING:
    from cairn.stack.registry import StackRegistry
    from cairn.store.records import ComponentRecord, StackRecord


@dataclass(frozen=True)
class ComponentSummary:
    """One component of a stack.

    Attributes:
        type: its component type.
        name: its name.
        flavor: its flavor.
        config: its configuration with secret values masked.
        state: ``running``, ``suspended``, ``not provisioned``, or
            ``unavailable: <why>`` when it cannot be built here (flavor not installed...).
    """

    type: StackComponentType
    name: str
    flavor: str
    config: dict[str, Any] = field(default_factory=dict)
    state: str | None = None


@dataclass(frozen=True)
class StackSummary:
    """A registered stack: its name, whether it is active, and its components."""

    name: str
    uuid: str
    active: bool
    components: list[ComponentSummary] = field(default_factory=list)


def _state(registry: StackRegistry, record: ComponentRecord) -> str:
    from cairn.exceptions import CairnError

    try:
        return registry.build_component(record).state
    except CairnError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"unavailable: {first}"


def summarize_stack(
    registry: StackRegistry, record: StackRecord, active: str, *, with_state: bool = True
) -> StackSummary:
    """A :class:`StackSummary` of ``record`` (component states are checked when asked)."""
    from cairn.stack.registry import masked_config

    order = list(StackComponentType)
    components = []
    for ctype, name in sorted(record.components.items(), key=lambda i: order.index(i[0])):
        comp = registry.store.get_component(ctype, name)
        state = _state(registry, comp) if with_state else None
        components.append(
            ComponentSummary(ctype, comp.name, comp.flavor, masked_config(comp), state)
        )
    return StackSummary(record.name, record.uuid, record.name == active, components)


__all__ = ["ComponentSummary", "StackSummary", "summarize_stack"]
