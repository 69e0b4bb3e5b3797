"""What a running step can ask about itself: ``get_step_context()`` and ``log_metadata()``.

Example:
    >>> from cairn import get_step_context, log_metadata, step
    >>> @step
    ... def train(lr: float = 0.1) -> float:
    ...     context = get_step_context()
    ...     print(context.step_name, context.run_name, context.output_uris)
    ...     log_metadata(accuracy=0.93, model="logreg")
    ...     return 0.93
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cairn.exceptions import CairnUserError

if TYPE_CHECKING:
    from cairn.enums import StackComponentType
    from cairn.stack.stack import Stack
    from cairn.stack.stack_component import StackComponent

_CONTEXT: ContextVar[StepContext | None] = ContextVar("cairn_step_context", default=None)


@dataclass
class StepContext:
    """The step that is running in this thread.

    Attributes:
        step_name: the step's unique name in the pipeline.
        run_name: the run's name.
        run_id: the run's id in the metadata store.
        pipeline_name: the pipeline's name.
        step_run_id: the step run's id in the metadata store.
        stack: the stack the run uses.
        output_uris: where each output will be stored, by output name.
        attempt: 1 for the first attempt, 2 for the first retry, ...
        metadata: what ``log_metadata`` collected (written when the step ends).
    """

    step_name: str
    run_name: str
    run_id: str
    pipeline_name: str
    step_run_id: str
    stack: Stack
    output_uris: dict[str, str]
    attempt: int = 1
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def components(self) -> dict[StackComponentType, StackComponent]:
        """The stack's components, by type."""
        return self.stack.components


def get_step_context() -> StepContext:
    """The context of the step running in this thread.

    Raises:
        CairnUserError: when called outside a running step.
    """
    context = _CONTEXT.get()
    if context is None:
        raise CairnUserError("get_step_context() works only inside a step while a pipeline runs.")
    return context


def log_metadata(**values: Any) -> None:
    """Record numbers, strings or JSON data for the running step: ``log_metadata(acc=0.9)``.

    Values are written to the metadata store when the step ends (in one batch);
    logging a key again replaces it.

    Raises:
        CairnUserError: outside a running step, or for a value that is not JSON data.
    """
    import json

    context = get_step_context()
    for key, value in values.items():
        if hasattr(value, "item") and callable(value.item):  # numpy scalars
            value = value.item()
        try:
            json.dumps(value)
        except (TypeError, ValueError) as exc:
            raise CairnUserError(
                f"log_metadata: value of '{key}' is a {type(value).__name__}, not a number, "
                "string or JSON data."
            ) from exc
        context.metadata[key] = value


def set_step_context(context: StepContext | None) -> Any:
    """Make ``context`` current in this thread; returns a token for :func:`reset_step_context`."""
    return _CONTEXT.set(context)


def reset_step_context(token: Any) -> None:
    """Restore the context that was current before :func:`set_step_context`."""
    _CONTEXT.reset(token)
