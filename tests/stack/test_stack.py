"""Stack: one component per type, required types, validators and accessors."""

from __future__ import annotations

from typing import ClassVar

import pytest

from cairn.artifact_stores import LocalArtifactStore
from cairn.container_registries import DefaultContainerRegistry
from cairn.enums import StackComponentType as T
from cairn.exceptions import ComponentNotRunningError, ConfigurationError, StackValidationError
from cairn.metadata_stores.sqlite_metadata_store import SQLiteMetadataStore
from cairn.orchestrators.local_orchestrator import LocalOrchestrator
from cairn.stack import Stack, StackComponent, StackValidator


class Bell(StackComponent):
    TYPE: ClassVar[T] = T.ALERTER
    FLAVOR: ClassVar[str] = "bell"

    needs_registry: bool = False
    running: bool = True
    extra_requirement: str = ""

    @property
    def validator(self) -> StackValidator | None:
        if not self.needs_registry:
            return None
        return StackValidator(required_components=frozenset({T.CONTAINER_REGISTRY}))

    @property
    def is_running(self) -> bool:
        return self.running

    @property
    def requirements(self) -> set[str]:
        return {self.extra_requirement} if self.extra_requirement else set()


@pytest.fixture
def required(tmp_path: object) -> list[StackComponent]:
    return [
        LocalOrchestrator(name="o"),
        LocalArtifactStore(name="a", path=str(tmp_path)),
        SQLiteMetadataStore(name="m", uri=f"{tmp_path}/m.db"),
    ]


def test_from_components_keys_by_type(required: list[StackComponent]) -> None:
    stack = Stack.from_components("s", required)
    assert set(stack.components) == {T.ORCHESTRATOR, T.ARTIFACT_STORE, T.METADATA_STORE}
    assert stack.orchestrator.name == "o"
    assert stack.artifact_store.name == "a"
    assert stack.metadata_store.name == "m"
    assert list(stack) == required
    stack.validate()


def test_at_most_one_component_per_type(required: list[StackComponent]) -> None:
    with pytest.raises(ConfigurationError, match="at most one artifact-store: got 'a' and 'b'"):
        Stack.from_components("s", [*required, LocalArtifactStore(name="b", path="/x")])


def test_component_under_the_wrong_type_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="'b' is of type alerter, not orchestrator"):
        Stack("s", {T.ORCHESTRATOR: Bell(name="b")})


def test_missing_required_types_name_the_options_to_add() -> None:
    stack = Stack.from_components("s", [LocalOrchestrator(name="o")])
    with pytest.raises(StackValidationError) as info:
        stack.validate()
    message = str(info.value)
    assert "artifact-store, metadata-store" in message
    assert "-a <artifact-store>" in message and "-m <metadata-store>" in message


def test_required_accessor_on_incomplete_stack_says_how_to_fix() -> None:
    stack = Stack("s", {})
    with pytest.raises(StackValidationError, match="cairn stack update s -o NAME"):
        _ = stack.orchestrator


def test_optional_accessors(required: list[StackComponent]) -> None:
    stack = Stack.from_components("s", required)
    for attr in ("container_registry", "secrets_manager", "step_operator", "model_deployer",
                 "feature_store", "experiment_tracker", "alerter"):  # fmt: skip
        assert getattr(stack, attr) is None
    registry = DefaultContainerRegistry(name="r", uri="localhost:5000")
    bell = Bell(name="b")
    stack = Stack.from_components("s", [*required, registry, bell])
    assert stack.container_registry is registry and stack.alerter is bell
    assert stack.get(T.ALERTER) is bell and stack.get(T.FEATURE_STORE) is None


def test_component_validators_run(required: list[StackComponent]) -> None:
    stack = Stack.from_components("s", [*required, Bell(name="b", needs_registry=True)])
    with pytest.raises(StackValidationError, match="container-registry"):
        stack.validate()
    registry = DefaultContainerRegistry(name="r", uri="localhost:5000")
    Stack.from_components(
        "s", [*required, Bell(name="b", needs_registry=True), registry]
    ).validate()


def test_check_running_names_the_stopped_component(required: list[StackComponent]) -> None:
    stack = Stack.from_components("s", [*required, Bell(name="b", running=False)])
    with pytest.raises(ComponentNotRunningError, match=r"alerter 'b'.*cairn stack up"):
        stack.check_running()
    Stack.from_components("s", required).check_running()


def test_requirements_are_the_union(required: list[StackComponent]) -> None:
    stack = Stack.from_components("s", [*required, Bell(name="b", extra_requirement="slack-sdk")])
    assert "slack-sdk" in stack.requirements


def test_components_is_a_copy(required: list[StackComponent]) -> None:
    stack = Stack.from_components("s", required)
    stack.components.pop(T.ORCHESTRATOR)
    assert T.ORCHESTRATOR in stack.components
    assert "orchestrator=o" in repr(stack)
