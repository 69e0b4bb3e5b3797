"""A component of a built-in flavor, seen through its registry record."""

from __future__ import annotations

import pytest

from cairn.enums import StackComponentType
from cairn.exceptions import DoesNotExistError
from cairn.stack.builtin_records import builtin_component, is_builtin
from cairn.stack.registry import StackRegistry
from cairn.store.records import FlavorRecord, StackRecord

T = StackComponentType


def test_the_default_stack_s_components_are_of_their_builtin_flavors() -> None:
    registry = StackRegistry()
    stack = registry.store.get_stack("default")
    found = builtin_component(registry, T.SECRETS_MANAGER, stack, "local")
    assert found == registry.store.get_component(T.SECRETS_MANAGER, "default")
    assert found is not None and is_builtin(registry, found)
    assert builtin_component(registry, T.METADATA_STORE, stack, "sqlite") is not None


def test_another_flavor_or_no_component_is_none() -> None:
    registry = StackRegistry()
    stack = registry.store.get_stack("default")
    assert builtin_component(registry, T.SECRETS_MANAGER, stack, "env") is None
    assert builtin_component(registry, T.ALERTER, stack, "webhook") is None  # none in the stack


def test_a_custom_flavor_of_the_same_name_leaves_it_to_the_built_component() -> None:
    registry = StackRegistry()
    registry.store.register_flavor(FlavorRecord(T.SECRETS_MANAGER, "local", "pkg.mod:Mine"))
    stack = registry.store.get_stack("default")
    assert builtin_component(registry, T.SECRETS_MANAGER, stack, "local") is None
    record = registry.store.get_component(T.SECRETS_MANAGER, "default")
    assert not is_builtin(registry, record)
    assert builtin_component(registry, T.METADATA_STORE, stack, "sqlite") is not None


def test_a_component_missing_from_the_registry_is_the_registry_s_error() -> None:
    registry = StackRegistry()
    stack = StackRecord("uuid", "broken", {T.SECRETS_MANAGER: "gone"})
    with pytest.raises(DoesNotExistError):
        builtin_component(registry, T.SECRETS_MANAGER, stack, "local")
