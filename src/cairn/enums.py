"""Enumerations shared across Cairn.

The :class:`StackComponentType` members and their CLI names are the single
table from which the CLI builds one command group per component type.
"""

from __future__ import annotations

from enum import Enum


class StrEnum(str, Enum):
    """A string enum whose ``str()`` is its value (``enum.StrEnum`` needs 3.11)."""

    def __str__(self) -> str:
        return str(self.value)


class StackComponentType(StrEnum):
    """The ten types of stack component a stack can hold."""

    ORCHESTRATOR = "orchestrator"
    ARTIFACT_STORE = "artifact_store"
    METADATA_STORE = "metadata_store"
    CONTAINER_REGISTRY = "container_registry"
    SECRETS_MANAGER = "secrets_manager"
    STEP_OPERATOR = "step_operator"
    MODEL_DEPLOYER = "model_deployer"
    FEATURE_STORE = "feature_store"
    EXPERIMENT_TRACKER = "experiment_tracker"
    ALERTER = "alerter"

    @property
    def cli_name(self) -> str:
        """The name of the CLI group of this type, e.g. ``artifact-store``."""
        return self.value.replace("_", "-")

    @property
    def plural(self) -> str:
        """Human readable plural, e.g. ``artifact stores``."""
        return self.value.replace("_", " ") + "s"

    @property
    def is_required(self) -> bool:
        """Whether every stack must contain a component of this type."""
        return self in REQUIRED_COMPONENT_TYPES

    @classmethod
    def from_cli_name(cls, name: str) -> StackComponentType:
        """Look a type up by its CLI name (``artifact-store``) or value."""
        return cls(name.replace("-", "_"))


REQUIRED_COMPONENT_TYPES: frozenset[StackComponentType] = frozenset(
    {
        StackComponentType.ORCHESTRATOR,
        StackComponentType.ARTIFACT_STORE,
        StackComponentType.METADATA_STORE,
    }
)

#: Short option of ``cairn stack register`` for each type, in display order.
STACK_OPTION_LETTERS: dict[StackComponentType, str] = {
    StackComponentType.ORCHESTRATOR: "o",
    StackComponentType.ARTIFACT_STORE: "a",
    StackComponentType.METADATA_STORE: "m",
    StackComponentType.CONTAINER_REGISTRY: "c",
    StackComponentType.SECRETS_MANAGER: "x",
    StackComponentType.STEP_OPERATOR: "s",
    StackComponentType.MODEL_DEPLOYER: "d",
    StackComponentType.FEATURE_STORE: "f",
    StackComponentType.EXPERIMENT_TRACKER: "e",
    StackComponentType.ALERTER: "al",
}


class ExecutionStatus(StrEnum):
    """Status of a pipeline run or of a step run."""

    PENDING = "pending"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CACHED = "cached"
    CANCELLED = "cancelled"

    @property
    def is_finished(self) -> bool:
        """Whether the run or step can no longer change status."""
        return self in _FINISHED_STATUSES


_FINISHED_STATUSES = frozenset(
    {
        ExecutionStatus.COMPLETED,
        ExecutionStatus.FAILED,
        ExecutionStatus.CACHED,
        ExecutionStatus.CANCELLED,
    }
)


class ModelStages(StrEnum):
    """Stages of a model version (ZenML's names); ``latest`` only selects, it is never set."""

    NONE = "none"
    STAGING = "staging"
    PRODUCTION = "production"
    ARCHIVED = "archived"
    LATEST = "latest"
