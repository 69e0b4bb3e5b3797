"""Cairn's exceptions.

Every exception Cairn raises on purpose derives from :class:`CairnError`.
Two kinds of blame are kept apart:

* :class:`CairnUserError` and its subclasses: something the user defined or
  typed is wrong (an invalid stack, an unknown flavor, a bad parameter). The
  message says what is wrong and how to fix it; the CLI prints it as one line.
* :class:`StepFailedError`: the user's own step code raised. The original
  exception is kept as ``__cause__`` with its traceback.
"""

from __future__ import annotations


class CairnError(Exception):
    """Root of every error Cairn raises on purpose."""


class CairnUserError(CairnError):
    """Something the user defined, configured or typed is wrong."""


class ConfigurationError(CairnUserError):
    """A configuration value, parameter or file is invalid."""


class EntityExistsError(CairnUserError):
    """An entity with the same name already exists."""


class DoesNotExistError(CairnUserError, KeyError):
    """A requested entity does not exist."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class IllegalOperationError(CairnUserError):
    """The operation is not allowed in the current state (e.g. delete a used component)."""


class StackValidationError(CairnUserError):
    """A stack or stack component does not satisfy its validation rules."""


class FlavorError(CairnUserError):
    """A flavor is unknown, cannot be imported or is not a valid implementation."""


class IntegrationError(FlavorError):
    """The packages an integration needs are not installed."""


class ComponentNotRunningError(CairnUserError):
    """A stack component that must be running (e.g. a local daemon) is not."""


class PipelineDefinitionError(CairnUserError):
    """A pipeline or step is defined incorrectly (cycle, unknown output, bad type, ...)."""


class MaterializerError(CairnUserError):
    """No materializer handles a type, or a materializer is invalid."""


class StoreError(CairnError):
    """The registry or metadata store cannot be read or written."""


class RunCancelledError(CairnError, KeyboardInterrupt):
    """The user stopped a run (Ctrl-C): it is recorded as ``cancelled``.

    It is also a :class:`KeyboardInterrupt`, so ``except Exception`` in user code does
    not swallow a Ctrl-C.
    """

    def __init__(self, message: str, run_name: str = "") -> None:
        super().__init__(message)
        self.run_name = run_name


class UnsafePathError(StoreError):
    """A path or URI would reach outside the folder it must stay in (refused, nothing written)."""


class RunNotRunningError(StoreError, CairnUserError):
    """A step tried to record a result for a run that is no longer running (it was refused)."""


class ConcurrentUpdateError(StoreError, CairnUserError):
    """Another process changed the same entity meanwhile; running the command again helps."""


class StoreSchemaError(StoreError, CairnUserError):
    """The store's schema is newer than this version of Cairn understands, or unreadable."""


class ServiceError(CairnError):
    """A local service (daemon) failed to start, stop or answer its health check."""


class StepFailedError(CairnError):
    """A step's user code raised; ``__cause__`` is the original exception."""

    def __init__(self, step_name: str, message: str) -> None:
        super().__init__(message)
        self.step_name = step_name


class StepTimeoutError(StepFailedError):
    """A step ran longer than its ``timeout``."""


class PipelineRunFailedError(CairnError):
    """A pipeline run failed; ``failed_steps`` names the steps that failed."""

    def __init__(self, message: str, run_name: str, failed_steps: list[str]) -> None:
        super().__init__(message)
        self.run_name = run_name
        self.failed_steps = failed_steps
