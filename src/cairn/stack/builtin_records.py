"""A component of a built-in flavor, seen through its registry record without building it.

Building a component imports pydantic and its flavor's class. The light paths of
the read commands (``pipeline runs``, ``artifact``, ``model``, ``secret list/get``,
``<type> logs``) read what they need from the component's record instead, and only
for the flavors whose files or database they know how to read: one definition here
of when a record is really of that flavor (a custom flavor registered under the same
name makes it unclear, and then the component is built). Imports no more than the
registry store's records.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cairn.enums import StackComponentType
    from cairn.stack.registry import StackRegistry
    from cairn.store.records import ComponentRecord, StackRecord


def is_builtin(registry: StackRegistry, record: ComponentRecord) -> bool:
    """Whether no custom flavor of the registry store is named as ``record``'s flavor
    (else only building the component tells which class it is)."""
    return not any(f.name == record.flavor for f in registry.store.list_flavors(record.type))


def builtin_component(
    registry: StackRegistry, ctype: StackComponentType, stack: StackRecord, flavor: str
) -> ComponentRecord | None:
    """The record of ``stack``'s component of ``ctype`` if it is of the built-in ``flavor``;
    None if the stack has none or it is of another flavor.

    Raises:
        DoesNotExistError: the stack names a component that is not registered.
    """
    name = stack.components.get(ctype)
    if name is None:
        return None
    record = registry.store.get_component(ctype, name)
    if record.flavor != flavor or not is_builtin(registry, record):
        return None
    return record
