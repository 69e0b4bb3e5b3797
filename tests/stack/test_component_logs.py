"""The log file of a component's local service, found from its registry record alone."""

from __future__ import annotations

from importlib import import_module
from typing import Any

import pytest

from cairn.enums import StackComponentType
from cairn.exceptions import DoesNotExistError
from cairn.stack.component_logs import SERVICE_LOGS, service_log_file, service_rule
from cairn.stack.registry import StackRegistry

T = StackComponentType

#: The configurations tried for each entry of SERVICE_LOGS: with a daemon on this machine
#: and, where the flavor can do without, without one.
CONFIGS: dict[tuple[StackComponentType, str], list[dict[str, Any]]] = {
    (T.ORCHESTRATOR, "local"): [{}],
    (T.ORCHESTRATOR, "airflow"): [{}, {"serve": True, "run_timeout": 60.0}, {"serve": False}],
    (T.ORCHESTRATOR, "ray"): [{}, {"port": 6390, "num_cpus": 2}, {"address": "127.0.0.1:6379"},
                              {"address": "{{cluster.address}}"}],
    (T.EXPERIMENT_TRACKER, "mlflow"): [{}, {"port": 5055}, {"tracking_uri": "http://mlflow:5000"}],
}  # fmt: skip


def test_every_entry_is_tried() -> None:
    assert set(CONFIGS) == set(SERVICE_LOGS)


@pytest.mark.parametrize(("ctype", "flavor"), sorted(SERVICE_LOGS))
def test_each_entry_finds_the_log_the_built_component_has(
    ctype: StackComponentType, flavor: str
) -> None:
    """The record alone gives the built component's log file whenever it has one, and
    leaves it to the built component when it has none."""
    registry = StackRegistry()
    for number, config in enumerate(CONFIGS[(ctype, flavor)]):
        name = f"logged-{number}"
        registry.register_component(ctype, name, flavor, config, verify=False)
        built = registry.get_component(ctype, name).log_file
        assert service_log_file(registry, ctype, name) == built, config
    assert registry.get_component(ctype, "logged-0").log_file is not None


@pytest.mark.parametrize(
    ("ctype", "flavor"),
    sorted(k for k, v in SERVICE_LOGS.items() if v.startswith("cairn.integrations.")),
)
def test_an_integration_rule_knows_the_fields_of_its_flavor(
    ctype: StackComponentType, flavor: str
) -> None:
    """(A key it does not know leaves the record to the built component, which refuses it.)"""
    module = import_module(SERVICE_LOGS[(ctype, flavor)].partition(":")[0])
    fields = set(StackRegistry().flavor_class(ctype, flavor).model_fields) - {"name", "uuid"}
    assert fields == module.FIELDS
    rule = service_rule(ctype, flavor)
    assert rule is not None and rule("u", {}) is not None
    assert rule("u", {"not_a_field": 1}) is None


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
