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
import os
from abc import ABC
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, get_args
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, SecretBytes, SecretStr
from pydantic_core import PydanticUndefined

from cairn.config import local_stores_dir
from cairn.enums import StackComponentType
from cairn.exceptions import CairnError

if TYPE_CHECKING:
    from cairn.models.run_info import PipelineRunInfo, StepRunInfo
    from cairn.stack.secret_references import SecretReference
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
        # a rejected value (a password of the wrong type...) never appears in an error
        hide_input_in_errors=True,
    )

    # Instance configuration
    name: str
    uuid: UUID = Field(default_factory=uuid4)

    # Class parameters
    TYPE: ClassVar[StackComponentType]
    FLAVOR: ClassVar[str]

    #: Runtime options (keys of ``pipeline.run(**options)``) this component understands.
    RUNTIME_OPTIONS: ClassVar[Mapping[str, RuntimeOption]] = {}

    #: The stack this component was put in and its secrets manager (set by ``Stack``).
    _secrets_source: tuple[str, Any] | None = PrivateAttr(default=None)
    #: Finds the secrets manager outside a stack: a weak reference to the method of the
    #: registry that built the component.
    _secrets_lookup: Any = PrivateAttr(default=None)

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
    def check_local_paths(self) -> None:
        """Check, when the component is registered or updated, that its local paths work.

        Flavors with folders or files on this machine override this (with
        :func:`check_creatable`), so that ``/dev/null/x`` fails at registration with
        a clear message instead of in the middle of a run. The default checks nothing.

        Raises:
            ConfigurationError: a path cannot be created or written.
        """

    def config_dict(self, *, reveal_secrets: bool = False) -> dict[str, Any]:
        """The component's configuration (everything but ``name`` and ``uuid``) as JSON data.

        Secret references (``{{name.key}}``) are shown as written; other secret
        values (``SecretStr`` / ``SecretBytes``, also inside lists and dicts) are
        masked unless ``reveal_secrets`` is true.
        """
        from pydantic_core import to_jsonable_python

        raw = self.model_dump(mode="python", exclude={"name", "uuid"})
        data: dict[str, Any] = to_jsonable_python(_reveal(raw, reveal_secrets))
        return data

    def secret_references(self) -> list[tuple[str, SecretReference]]:
        """``(field, reference)`` for every ``{{name.key}}`` in the configuration."""
        from cairn.stack.secret_references import iter_references

        found = []
        for field in type(self).model_fields:
            if field in ("name", "uuid"):
                continue
            for reference in iter_references(getattr(self, field)):
                found.append((field, reference))
        return found

    def resolve_secret(self, value: str | SecretStr | None) -> str | None:
        """The plain value of a configuration value, resolving a ``{{name.key}}`` reference.

        Call it in the code that is about to hand the value to a client, and keep
        the result in a local variable only: never store it on the component, in
        ``os.environ`` or in a log. A reference is looked up in the secrets
        manager of the stack the component is in (see :meth:`Stack.__init__`); a
        component used outside a stack uses the active stack's; a secrets
        manager's own references use the ``default`` local secrets manager.

        Raises:
            DoesNotExistError: the stack has no secrets manager, or it has no such
                secret or key (the message names the reference, never a value).
        """
        from cairn.stack.secret_references import parse_reference

        if value is None:
            return None
        reference = parse_reference(value)
        if reference is None:
            return value.get_secret_value() if isinstance(value, SecretStr) else value
        manager = self._reference_manager()
        return resolve_reference(manager, reference, f"{self}")

    def _reference_manager(self) -> Any:
        if self._secrets_source is not None:
            stack_name, manager = self._secrets_source
            if manager is None:
                from cairn.exceptions import DoesNotExistError

                raise DoesNotExistError(
                    f"The {self} uses secret references, but stack '{stack_name}' has no secrets "
                    f"manager: add one with 'cairn stack update {stack_name} -x NAME'."
                )
            return manager
        lookup = self._secrets_lookup() if self._secrets_lookup is not None else None
        if lookup is not None:  # the registry that built the component is still open
            return lookup(self)
        from cairn.stack.registry import StackRegistry

        return StackRegistry().secrets_manager_for(self)

    def attach_secrets_manager(self, stack_name: str, manager: Any) -> None:
        """Resolve this component's references through ``manager`` (of ``stack_name``)."""
        self._secrets_source = (stack_name, manager)

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

    def prepare_step_run(self, info: StepRunInfo) -> None:
        """Called in the step's process right before each attempt of a step runs.

        Args:
            info: the run, step, step run and attempt.
        """

    def cleanup_step_run(self, info: StepRunInfo, failed: bool) -> None:
        """Called in the step's process right after each attempt of a step (even if it failed).

        Args:
            info: the run, step, step run and attempt.
            failed: whether the attempt failed.
        """

    def cleanup_pipeline_run(self, info: PipelineRunInfo, failed: bool) -> None:
        """Called once after the whole pipeline run ended, by the process that ended it.

        Args:
            info: the run.
            failed: whether the run failed or was cancelled.
        """

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


def _reveal(value: Any, reveal: bool) -> Any:
    """``value`` with every secret replaced by its reference, its plain value or a mask."""
    from cairn.stack.secret_references import is_reference

    if isinstance(value, SecretStr | SecretBytes):
        if reveal or (isinstance(value, SecretStr) and is_reference(value)):
            return value.get_secret_value()
        return SECRET_MASK
    if isinstance(value, dict):
        return {k: _reveal(v, reveal) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return type(value)(_reveal(v, reveal) for v in value)
    return value


#: How a secret value that is not a reference is shown.
SECRET_MASK = "**********"


def resolve_reference(manager: Any, reference: SecretReference, user: str) -> str:
    """The value ``reference`` names in ``manager`` (a secrets manager).

    Raises:
        DoesNotExistError: no such secret or key; names ``user`` and the reference.
    """
    from cairn.exceptions import DoesNotExistError

    try:
        values = manager.get_secret(reference.name)
    except DoesNotExistError:
        raise DoesNotExistError(
            f"The {user} refers to {reference}, but secrets manager '{manager.name}' has no "
            f"secret '{reference.name}': register it with 'cairn secret register "
            f"{reference.name} --{reference.key}=...'."
        ) from None
    if reference.key not in values:
        raise DoesNotExistError(
            f"The {user} refers to {reference}, but secret '{reference.name}' has no key "
            f"'{reference.key}' (keys: {', '.join(sorted(values)) or 'none'})."
        )
    plain: str = values[reference.key].get_secret_value()
    return plain


def check_creatable(path: Path, what: str) -> None:
    """Check that folder ``path`` exists or can be created, and can be written.

    The probe creates (and removes) only a temporary folder of its own.

    Raises:
        ConfigurationError: naming ``what``, the path and the reason.
    """
    import tempfile

    from cairn.exceptions import ConfigurationError

    existing = path
    while not existing.exists():
        if existing.parent == existing:
            break
        existing = existing.parent
    if not existing.is_dir():
        raise ConfigurationError(
            f"The {what} {path} cannot be created: {existing} is not a folder."
        )
    try:
        probe = tempfile.mkdtemp(prefix=".cairn-write-check-", dir=existing)
    except OSError as exc:
        raise ConfigurationError(
            f"The {what} {path} cannot be created or written: {existing}: {exc.strerror or exc}."
        ) from exc
    os.rmdir(probe)


class StackComponentError(CairnError):
    """A stack component failed to do what was asked of it."""
