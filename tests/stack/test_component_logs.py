"""The log file of a component's local service, found from its registry record alone."""

from __future__ import annotations

import pytest

from cairn.enums import StackComponentType
from cairn.exceptions import DoesNotExistError
from cairn.stack.component_logs import SERVICE_LOGS, service_log_file
from cairn.stack.registry import StackRegistry


@pytest.mark.parametrize(("ctype", "flavor"), sorted(SERVICE_LOGS))
def test_each_entry_finds_the_log_the_built_component_has(
    ctype: StackComponentType, flavor: str
) -> None:
    registry = StackRegistry()
    registry.register_component(ctype, "logged", flavor, {})
    built = registry.get_component(ctype, "logged").log_file
    assert built is not None
    assert service_log_file(registry, ctype, "logged") == built


def test_the_default_orchestrator_logs_to_its_scheduler_service() -> None:
    registry = StackRegistry()
    found = service_log_file(registry, StackComponentType.ORCHESTRATOR, "default")
    assert found == registry.get_component(StackComponentType.ORCHESTRATOR, "default").log_file
    assert found is not None and found.parent.name.startswith("scheduler-")


def test_other_flavors_are_left_to_the_built_component() -> None:
    registry = StackRegistry()
    assert service_log_file(registry, StackComponentType.ARTIFACT_STORE, "default") is None
    assert service_log_file(registry, StackComponentType.SECRETS_MANAGER, "default") is None


def test_a_missing_component_is_the_registry_s_error() -> None:
    registry = StackRegistry()
    with pytest.raises(DoesNotExistError) as fast:
        service_log_file(registry, StackComponentType.ORCHESTRATOR, "nope")
    with pytest.raises(DoesNotExistError) as full:
        registry.get_component(StackComponentType.ORCHESTRATOR, "nope")
    assert str(fast.value) == str(full.value)
