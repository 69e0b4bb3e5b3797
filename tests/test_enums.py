"""Component types, their CLI names and the stack option letters."""

from __future__ import annotations

import pytest

from cairn.enums import (
    REQUIRED_COMPONENT_TYPES,
    STACK_OPTION_LETTERS,
    ExecutionStatus,
    StackComponentType,
)

CLI_NAMES = [
    "orchestrator", "artifact-store", "metadata-store", "container-registry", "secrets-manager",
    "step-operator", "model-deployer", "feature-store", "experiment-tracker", "alerter",
]  # fmt: skip


def test_the_ten_types_and_their_cli_names() -> None:
    assert [t.cli_name for t in StackComponentType] == CLI_NAMES


def test_from_cli_name_round_trips() -> None:
    for component_type in StackComponentType:
        assert StackComponentType.from_cli_name(component_type.cli_name) is component_type
        assert StackComponentType.from_cli_name(component_type.value) is component_type
    with pytest.raises(ValueError):
        StackComponentType.from_cli_name("sandwich-maker")


def test_str_is_the_value() -> None:
    assert str(StackComponentType.ARTIFACT_STORE) == "artifact_store"
    assert f"{ExecutionStatus.RUNNING}" == "running"
    assert StackComponentType.ARTIFACT_STORE == "artifact_store"


def test_required_types() -> None:
    required = {t for t in StackComponentType if t.is_required}
    assert (
        required
        == set(REQUIRED_COMPONENT_TYPES)
        == {
            StackComponentType.ORCHESTRATOR,
            StackComponentType.ARTIFACT_STORE,
            StackComponentType.METADATA_STORE,
        }
    )


def test_plural() -> None:
    assert StackComponentType.ARTIFACT_STORE.plural == "artifact stores"


def test_every_type_has_a_unique_stack_option_letter() -> None:
    assert set(STACK_OPTION_LETTERS) == set(StackComponentType)
    letters = list(STACK_OPTION_LETTERS.values())
    assert len(letters) == len(set(letters))
    assert STACK_OPTION_LETTERS[StackComponentType.ALERTER] == "al"


def test_execution_status_finished() -> None:
    finished = {s for s in ExecutionStatus if s.is_finished}
    assert finished == {
        ExecutionStatus.COMPLETED,
        ExecutionStatus.FAILED,
        ExecutionStatus.CACHED,
        ExecutionStatus.CANCELLED,
    }
