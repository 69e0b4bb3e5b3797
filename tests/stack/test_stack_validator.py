"""StackValidator: required component types and a custom check."""

from __future__ import annotations

import pytest

from cairn.artifact_stores import LocalArtifactStore
from cairn.enums import StackComponentType as T
from cairn.exceptions import StackValidationError
from cairn.orchestrators.local_orchestrator import LocalOrchestrator
from cairn.stack import Stack, StackValidator
from cairn.stack.stack_validator import missing_required_types


def stack() -> Stack:
    return Stack.from_components(
        "s", [LocalOrchestrator(name="o"), LocalArtifactStore(name="a", path="/tmp/a")]
    )


def test_empty_validator_passes() -> None:
    StackValidator().validate(stack())


def test_required_components_message_names_types_and_command() -> None:
    validator = StackValidator(required_components=frozenset({T.STEP_OPERATOR, T.ALERTER}))
    with pytest.raises(StackValidationError) as info:
        validator.validate(stack())
    message = str(info.value)
    assert "alerter, step-operator" in message
    assert "cairn stack update s" in message
    assert "-al NAME" in message and "-s NAME" in message


def test_custom_validation_message_is_shown() -> None:
    validator = StackValidator(
        custom_validation_function=lambda s: (False, "use a remote artifact store")
    )
    with pytest.raises(StackValidationError, match="not valid: use a remote artifact store"):
        validator.validate(stack())


def test_custom_validation_passes() -> None:
    seen = []
    StackValidator(custom_validation_function=lambda s: (seen.append(s.name) or True, "")).validate(
        stack()
    )
    assert seen == ["s"]


def test_missing_required_types_in_enum_order() -> None:
    assert missing_required_types([T.ARTIFACT_STORE]) == [T.ORCHESTRATOR, T.METADATA_STORE]
    assert missing_required_types([T.ORCHESTRATOR, T.ARTIFACT_STORE, T.METADATA_STORE]) == []
