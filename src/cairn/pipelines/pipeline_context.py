"""``get_pipeline_context()``: what a pipeline definition can ask while it is traced.

Example (ZenML's inference style):
    >>> @pipeline(model=Model(name="churn", version="production"))
    ... def inference():
    ...     model = get_pipeline_context().model
    ...     predict(clf=model.get_artifact("classifier"))   # looked up when the run starts
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from cairn.exceptions import CairnUserError


@dataclass(frozen=True)
class PipelineContext:
    """The pipeline being defined.

    Attributes:
        name: the pipeline's name.
        model: its ``Model`` (``@pipeline(model=...)``), or None.
        parameters: the parameters it was configured with.
    """

    name: str
    model: Any = None
    parameters: dict[str, Any] = field(default_factory=dict)


_CONTEXT: ContextVar[PipelineContext | None] = ContextVar("cairn_pipeline_context", default=None)


def get_pipeline_context() -> PipelineContext:
    """The context of the pipeline function being traced.

    Raises:
        CairnUserError: outside a pipeline function.
    """
    context = _CONTEXT.get()
    if context is None:
        raise CairnUserError(
            "get_pipeline_context() works only inside a @pipeline function while it is defined."
        )
    return context


@contextmanager
def pipeline_context(context: PipelineContext) -> Iterator[PipelineContext]:
    """Make ``context`` current while the pipeline function is traced."""
    token = _CONTEXT.set(context)
    try:
        yield context
    finally:
        _CONTEXT.reset(token)


__all__ = ["PipelineContext", "get_pipeline_context", "pipeline_context"]
