"""A stack: one component per type, with the required types present."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from cairn.enums import REQUIRED_COMPONENT_TYPES, STACK_OPTION_LETTERS, StackComponentType
from cairn.exceptions import ComponentNotRunningError, ConfigurationError, StackValidationError
from cairn.stack.stack_component import StackComponent
from cairn.stack.stack_validator import missing_required_types

if TYPE_CHECKING:
    from cairn.alerters import BaseAlerter
    from cairn.artifact_stores import BaseArtifactStore
    from cairn.container_registries import BaseContainerRegistry
    from cairn.experiment_trackers import BaseExperimentTracker
    from cairn.feature_stores import BaseFeatureStore
    from cairn.metadata_stores import BaseMetadataStore
    from cairn.model_deployers import BaseModelDeployer
    from cairn.orchestrators import BaseOrchestrator
    from cairn.secrets_managers import BaseSecretsManager
    from cairn.step_operators import BaseStepOperator


class Stack:
    """A named set of stack components, at most one of each type.

    Args:
        name: the stack's name.
        components: the components, keyed by their type.

    Raises:
        ConfigurationError: a component is keyed under a type that is not its own.

    Example:
        >>> stack = Stack.from_components("dev", [orchestrator, artifact_store, metadata_store])
        >>> stack.validate()
    """

    def __init__(self, name: str, components: Mapping[StackComponentType, StackComponent]) -> None:
        for component_type, component in components.items():
            if component_type != component.TYPE:
                raise ConfigurationError(
                    f"Component '{component.name}' is of type {component.TYPE.cli_name}, "
                    f"not {component_type.cli_name}."
                )
        self.name = name
        self._components: dict[StackComponentType, StackComponent] = dict(components)
        manager = self._components.get(StackComponentType.SECRETS_MANAGER)
        for component in self._components.values():
            if component.TYPE != StackComponentType.SECRETS_MANAGER:
                component.attach_secrets_manager(name, manager)

    @classmethod
    def from_components(cls, name: str, components: list[StackComponent]) -> Stack:
        """Build a stack from a list, refusing two components of one type.

        Raises:
            ConfigurationError: two components have the same type.
        """
        by_type: dict[StackComponentType, StackComponent] = {}
        for component in components:
            if component.TYPE in by_type:
                raise ConfigurationError(
                    f"A stack holds at most one {component.TYPE.cli_name}: got "
                    f"'{by_type[component.TYPE].name}' and '{component.name}'."
                )
            by_type[component.TYPE] = component
        return cls(name, by_type)

    @property
    def components(self) -> dict[StackComponentType, StackComponent]:
        """The components of this stack, keyed by type (a copy)."""
        return dict(self._components)

    def __iter__(self) -> Iterator[StackComponent]:
        """The components, in the order they were given."""
        return iter(self._components.values())

    def get(self, component_type: StackComponentType) -> StackComponent | None:
        """The component of ``component_type``, or ``None``."""
        return self._components.get(component_type)

    def _required(self, component_type: StackComponentType) -> Any:
        component = self._components.get(component_type)
        if component is None:
            raise StackValidationError(
                f"Stack '{self.name}' has no {component_type.cli_name}: add one with "
                f"'cairn stack update {self.name} -{STACK_OPTION_LETTERS[component_type]} NAME'."
            )
        return component

    @property
    def orchestrator(self) -> BaseOrchestrator:
        """The orchestrator (required)."""
        return self._required(StackComponentType.ORCHESTRATOR)  # type: ignore[no-any-return]

    @property
    def artifact_store(self) -> BaseArtifactStore:
        """The artifact store (required)."""
        return self._required(StackComponentType.ARTIFACT_STORE)  # type: ignore[no-any-return]

    @property
    def metadata_store(self) -> BaseMetadataStore:
        """The metadata store (required)."""
        return self._required(StackComponentType.METADATA_STORE)  # type: ignore[no-any-return]

    @property
    def container_registry(self) -> BaseContainerRegistry | None:
        """The container registry, if the stack has one."""
        return self._components.get(StackComponentType.CONTAINER_REGISTRY)  # type: ignore[return-value]

    @property
    def secrets_manager(self) -> BaseSecretsManager | None:
        """The secrets manager, if the stack has one."""
        return self._components.get(StackComponentType.SECRETS_MANAGER)  # type: ignore[return-value]

    @property
    def step_operator(self) -> BaseStepOperator | None:
        """The step operator, if the stack has one."""
        return self._components.get(StackComponentType.STEP_OPERATOR)  # type: ignore[return-value]

    @property
    def model_deployer(self) -> BaseModelDeployer | None:
        """The model deployer, if the stack has one."""
        return self._components.get(StackComponentType.MODEL_DEPLOYER)  # type: ignore[return-value]

    @property
    def feature_store(self) -> BaseFeatureStore | None:
        """The feature store, if the stack has one."""
        return self._components.get(StackComponentType.FEATURE_STORE)  # type: ignore[return-value]

    @property
    def experiment_tracker(self) -> BaseExperimentTracker | None:
        """The experiment tracker, if the stack has one."""
        return self._components.get(StackComponentType.EXPERIMENT_TRACKER)  # type: ignore[return-value]

    @property
    def alerter(self) -> BaseAlerter | None:
        """The alerter, if the stack has one."""
        return self._components.get(StackComponentType.ALERTER)  # type: ignore[return-value]

    # ------------------------------------------------------------ validation
    def validate(self) -> None:
        """Check required types and every component's own validator.

        Raises:
            StackValidationError: with a message saying what to change.
        """
        missing = missing_required_types(self._components)
        if missing:
            options = ", ".join(f"-{STACK_OPTION_LETTERS[t]} <{t.cli_name}>" for t in missing)
            raise StackValidationError(
                f"Stack '{self.name}' is missing required component(s): "
                f"{', '.join(t.cli_name for t in missing)}. Every stack needs an orchestrator, "
                f"an artifact store and a metadata store; add them with {options}."
            )
        for component in self._components.values():
            validator = component.validator
            if validator is not None:
                validator.validate(self)

    def validate_secrets(self) -> None:
        """Check that every ``{{name.key}}`` in the stack's components can be resolved.

        References are looked up in the stack's secrets manager (those of the
        secrets manager itself in the ``default`` local one); nothing is revealed.

        Raises:
            StackValidationError: listing each reference to a missing secret or key.
        """
        from cairn.stack.secret_checks import missing_references

        problems = missing_references(self)
        if problems:
            raise StackValidationError(
                f"Stack '{self.name}' refers to secrets that cannot be found: "
                f"{'; '.join(problems)}."
            )

    def check_running(self) -> None:
        """Raise :class:`ComponentNotRunningError` naming any component that is not running."""
        for component in self._components.values():
            if not component.is_running:
                raise ComponentNotRunningError(
                    f"The {component.TYPE.cli_name} '{component.name}' of stack '{self.name}' is "
                    f"not running ({component.state}): run 'cairn stack up' first."
                )

    @property
    def requirements(self) -> set[str]:
        """Python requirements of all components."""
        out: set[str] = set()
        for component in self._components.values():
            out |= component.requirements
        return out

    def __repr__(self) -> str:
        parts = ", ".join(f"{t.value}={c.name}" for t, c in self._components.items())
        return f"Stack({self.name!r}, {parts})"


__all__ = ["REQUIRED_COMPONENT_TYPES", "Stack"]
