"""The base class of every stack component.

A stack component is a pydantic model: its fields are the component's
configuration (validated, unknown keys rejected); its class variables ``TYPE``
and ``FLAVOR`` say which kind of component it is and which implementation.

Example:
    >>> from typing import ClassVar
    >>> from cairn.artifact_stores import BaseArtifactStore
    >>> class MyStore(BaseArtifactStore):
    ...     FLAVOR: ClassVar[str] = "mine"
    ...     SUPPORTED_SCHEMES: ClassVar[set[str]] = {"mine://"}
"""

from __future__ import annotations

import inspect
from abc import ABC
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, get_args
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field, SecretBytes, SecretStr
from pydantic_core import PydanticUndefined

from cairn.config import local_stores_dir
from cairn.enums import StackComponentType
from cairn.exceptions import CairnError

if TYPE_CHECKING:
    from cairn.stack.stack import Stack
    from cairn.stack.stack_validator import StackValidator


#: Class variables of components that must never be declared as configuration fields.
_CLASS_VARIABLES = frozenset({"TYPE", "FLAVOR", "SUPPORTED_SCHEMES", "RUNTIME_OPTIONS"})


class RuntimeOption(BaseModel):
    """A runtime option a component accepts in ``pipeline.run(**options)``."""

    model_config = ConfigDict(frozen=True)

    description: str = ""
    type: str = "any"


class StackComponent(BaseModel, ABC):
    """Abstract class for all components of a Cairn stack.

    Subclasses that are not abstract must define ``TYPE`` (usually inherited from
    the base class of their type) and ``FLAVOR``; this is checked when the class
    is created. A base class without abstract methods marks itself with
    ``__abstract_component__ = True``.
    """

    model_config = ConfigDict(
        extra="forbid",
        validate_assignment=True,
        arbitrary_types_allowed=True,
        ser_json_timedelta="float",
    )

    # Instance configuration
    name: str
    uuid: UUID = Field(default_factory=uuid4)

    # Class parameters
    TYPE: ClassVar[StackComponentType]
    FLAVOR: ClassVar[str]

    #: Runtime options (keys of ``pipeline.run(**options)``) this component understands.
    RUNTIME_OPTIONS: ClassVar[Mapping[str, RuntimeOption]] = {}

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        as_fields = sorted(n for n in cls.model_fields if n in _CLASS_VARIABLES)
        if as_fields:
            raise TypeError(
                f"{cls.__module__}.{cls.__qualname__} declares {', '.join(as_fields)} as "
                f"configuration field(s): annotate them as class variables, e.g. "
                f"FLAVOR: ClassVar[str] = 'my_flavor'."
            )
        if inspect.isabstract(cls) or cls.__dict__.get("__abstract_component__", False):
            return
        missing = [attr for attr in ("TYPE", "FLAVOR") if not hasattr(cls, attr)]
        if missing:
            raise TypeError(
                f"Stack component class {cls.__module__}.{cls.__qualname__} must define the "
                f"class variable(s) {', '.join(missing)} "
                f"(e.g. FLAVOR: ClassVar[str] = 'my_flavor')."
            )
        if not isinstance(cls.TYPE, StackComponentType):
            raise TypeError(f"{cls.__qualname__}.TYPE must be a StackComponentType.")
        if not isinstance(cls.FLAVOR, str) or not cls.FLAVOR:
            raise TypeError(f"{cls.__qualname__}.FLAVOR must be a non-empty string.")

    # ------------------------------------------------------------------ pickling
    def __getstate__(self) -> dict[Any, Any]:
        """Pickle the configuration only: underscore (runtime) attributes are not serialised."""
        state = dict(super().__getstate__())
        state["__pydantic_private__"] = None
        return state

    def __setstate__(self, state: dict[Any, Any]) -> None:
        """Restore the configuration; underscore attributes start again from their defaults."""
        super().__setstate__(state)
        if self.__pydantic_private__ is None and self.__private_attributes__:
            defaults = {
                name: attr.get_default() for name, attr in self.__private_attributes__.items()
            }
            private = {k: v for k, v in defaults.items() if v is not PydanticUndefined}
            object.__setattr__(self, "__pydantic_private__", private)

    # ------------------------------------------------------------------ config
    def config_dict(self, *, reveal_secrets: bool = False) -> dict[str, Any]:
        """The component's configuration (everything but ``name`` and ``uuid``) as JSON data.

        Secrets (``SecretStr`` / ``SecretBytes`` values, also inside lists and
        dicts) are masked unless ``reveal_secrets`` is true.
        """
        if not reveal_secrets:
            return self.model_dump(mode="json", exclude={"name", "uuid"})
        from pydantic_core import to_jsonable_python

        raw = self.model_dump(mode="python", exclude={"name", "uuid"})
        data: dict[str, Any] = to_jsonable_python(_reveal(raw))
        return data

    @classmethod
    def secret_fields(cls) -> set[str]:
        """Names of the configuration fields that hold secrets (anywhere in their type)."""
        return {name for name, f in cls.model_fields.items() if _holds_secret(f.annotation)}

    @property
    def local_path(self) -> Path:
        """A folder reserved for this component's local data (not created here)."""
        return local_stores_dir() / str(self.uuid)

    # ------------------------------------------------------------------ hooks
    @property
    def requirements(self) -> set[str]:
        """Python requirements (pip specifiers) the component needs where steps run."""
        return set()

    @property
    def validator(self) -> StackValidator | None:
        """A validator the stack containing this component must satisfy, if any."""
        return None

    @property
    def runtime_options(self) -> Mapping[str, RuntimeOption]:
        """Runtime options this component accepts (see ``RUNTIME_OPTIONS``)."""
        return self.RUNTIME_OPTIONS

    @property
    def log_file(self) -> Path | None:
        """The log file of the process behind this component, if it has one."""
        return None

    def prepare_pipeline_deployment(
        self,
        pipeline: Any,
        stack: Stack,
        runtime_configuration: Mapping[str, Any],
    ) -> None:
        """Called on every component before a pipeline run is orchestrated.

        Args:
            pipeline: the compiled pipeline (a ``PipelineSpec``).
            stack: the stack the pipeline runs on.
            runtime_configuration: the keyword arguments of ``pipeline.run(...)``.
        """

    def prepare_step_run(self) -> None:
        """Called in the step's process right before a step runs."""

    def cleanup_step_run(self) -> None:
        """Called in the step's process right after a step ran (even if it failed)."""

    def cleanup_pipeline_run(self) -> None:
        """Called once after the whole pipeline run finished (even if it failed)."""

    # ------------------------------------------------------------------ state
    @property
    def is_provisioned(self) -> bool:
        """If the component provisioned resources to run."""
        return True

    @property
    def is_running(self) -> bool:
        """If the component is running."""
        return True

    @property
    def is_suspended(self) -> bool:
        """If the component is provisioned but not running."""
        return self.is_provisioned and not self.is_running

    def provision(self) -> None:
        """Provisions resources to run the component."""

    def deprovision(self) -> None:
        """Deprovisions all resources of the component."""

    def resume(self) -> None:
        """Resumes the provisioned resources of the component."""

    def suspend(self) -> None:
        """Suspends the provisioned resources of the component."""

    @property
    def state(self) -> str:
        """One word for the component's state: running, suspended or not provisioned."""
        if not self.is_provisioned:
            return "not provisioned"
        return "running" if self.is_running else "suspended"

    def __str__(self) -> str:
        return f"{self.TYPE.cli_name} '{self.name}' (flavor {self.FLAVOR})"


def _holds_secret(annotation: Any) -> bool:
    """Whether a type is, or contains (``list[SecretStr]``, ``X | None``...), a secret."""
    if isinstance(annotation, type) and issubclass(annotation, SecretStr | SecretBytes):
        return True
    return any(_holds_secret(arg) for arg in get_args(annotation))


def _reveal(value: Any) -> Any:
    """``value`` with every secret replaced by its plain value."""
    if isinstance(value, SecretStr | SecretBytes):
        return value.get_secret_value()
    if isinstance(value, dict):
        return {k: _reveal(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return type(value)(_reveal(v) for v in value)
    return value


class StackComponentError(CairnError):
    """A stack component failed to do what was asked of it."""
