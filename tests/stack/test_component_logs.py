"""The log file of a component's local service, found from its registry record alone."""

from __future__ import annotations

from importlib import import_module
from typing import Any

import pytest

from cairn.enums import StackComponentType
from cairn.exceptions import DoesNotExistError
from cairn.stack.component_logs import (
    SERVICE_LOGS,
    service_log_file,
    service_rule,
    without_logs,
)
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
    """The record alone gives the built component's log file: a path where it runs a
    daemon, none where its configuration runs none here."""
    registry = StackRegistry()
    for number, config in enumerate(CONFIGS[(ctype, flavor)]):
        name = f"logged-{number}"
        registry.register_component(ctype, name, flavor, config, verify=False)
        built = registry.get_component(ctype, name).log_file
        assert service_log_file(registry, ctype, name) == (True, built), config
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
    known, found = service_log_file(registry, StackComponentType.ORCHESTRATOR, "default")
    assert found == registry.get_component(StackComponentType.ORCHESTRATOR, "default").log_file
    assert known and found is not None and found.parent.name.startswith("scheduler-")


def test_the_other_catalog_flavors_have_no_log_by_their_record() -> None:
    registry = StackRegistry()
    for ctype in (StackComponentType.ARTIFACT_STORE, StackComponentType.SECRETS_MANAGER):
        assert service_log_file(registry, ctype, "default") == (True, None)
        assert registry.get_component(ctype, "default").log_file is None


@pytest.mark.parametrize(("ctype", "flavor"), sorted(without_logs()))
def test_a_flavor_said_to_have_no_log_keeps_the_base_log_file(
    ctype: StackComponentType, flavor: str
) -> None:
    """Each class of :func:`without_logs` keeps ``StackComponent.log_file`` (always None)."""
    from cairn.stack.stack_component import StackComponent

    cls = StackRegistry().flavor_class(ctype, flavor)
    assert cls.log_file is StackComponent.log_file, cls


def test_a_rule_that_cannot_tell_leaves_it_to_the_built_component() -> None:
    """(The registry stores validated values; a record edited by hand may hold others.)"""
    rule = service_rule(T.ORCHESTRATOR, "airflow")
    assert rule is not None
    assert rule("u", {"serve": "yes"}) is None
    assert rule("u", {"serve": False}) == "" and rule("u", {}) == "airflow-u"


def test_a_missing_component_is_the_registry_s_error() -> None:
    registry = StackRegistry()
    with pytest.raises(DoesNotExistError) as fast:
        service_log_file(registry, StackComponentType.ORCHESTRATOR, "nope")
    with pytest.raises(DoesNotExistError) as full:
        registry.get_component(StackComponentType.ORCHESTRATOR, "nope")
    assert str(fast.value) == str(full.value)
