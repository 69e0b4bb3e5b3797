"""Tracing a pipeline function: step calls become graph nodes, their results handles.

While ``@pipeline`` runs the user's function, a :class:`PipelineTracer` is active;
calling a step then records a :class:`StepCall` (with the user's file and line)
and returns :class:`OutputHandle` objects instead of running the step.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cairn.exceptions import PipelineDefinitionError

if TYPE_CHECKING:
    from cairn.steps.base_step import BaseStep

_CAIRN_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_TRACER: ContextVar[PipelineTracer | None] = ContextVar("cairn_pipeline_tracer", default=None)


def caller_location() -> str:
    """``file:line`` of the innermost frame outside the Cairn package (the user's code)."""
    frame = sys._getframe(1)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not filename.startswith(_CAIRN_DIR) and not filename.startswith("<frozen"):
            return f"{filename}:{frame.f_lineno}"
        frame = frame.f_back  # type: ignore[assignment]
    return "<unknown>"


@dataclass(frozen=True)
class OutputHandle:
    """A placeholder for an output of a step call inside a pipeline function.

    Attributes:
        step: the unique name of the step call that produces the output.
        output: the output's name.
        type: the output's declared type.
    """

    step: str
    output: str
    type: Any

    def __repr__(self) -> str:
        return f"<output '{self.output}' of step '{self.step}'>"

    def __bool__(self) -> bool:
        raise PipelineDefinitionError(
            f"{caller_location()}: {self!r} is a placeholder while the pipeline is traced; "
            "its value exists only when the step runs, so it cannot be used in an `if`."
        )


class StepOutputs(tuple[OutputHandle, ...]):
    """The handles of a step call with several outputs: unpack it, or index it by name."""

    step_name: str

    def __new__(cls, step_name: str, handles: list[OutputHandle]) -> StepOutputs:
        obj = super().__new__(cls, handles)
        obj.step_name = step_name
        return obj

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            for handle in self:
                if handle.output == key:
                    return handle
            raise PipelineDefinitionError(
                f"{caller_location()}: step '{self.step_name}' has no output '{key}'; "
                f"its outputs are: {', '.join(h.output for h in self)}."
            )
        return super().__getitem__(key)

    def __getattr__(self, name: str) -> OutputHandle:
        if name.startswith("_"):
            raise AttributeError(name)
        return self[name]  # type: ignore[no-any-return]


@dataclass
class StepCall:
    """One call of a step inside a traced pipeline function."""

    name: str
    step: BaseStep
    inputs: dict[str, OutputHandle]
    parameters: dict[str, Any]
    location: str
    after: list[str] = field(default_factory=list)
    #: inputs that are not upstream outputs: ExternalArtifact, LazyArtifact, or an artifact id.
    external: dict[str, Any] = field(default_factory=dict)


@dataclass
class PipelineTracer:
    """Collects the step calls of one pipeline function."""

    pipeline_name: str
    calls: dict[str, StepCall] = field(default_factory=dict)
    _next_index: dict[str, int] = field(default_factory=dict)

    def unique_name(self, base: str) -> str:
        """``base`` if unused, else ``base_2``, ``base_3``, ..."""
        if base not in self.calls:
            return base
        index = self._next_index.get(base, 2)
        while f"{base}_{index}" in self.calls:
            index += 1
        self._next_index[base] = index + 1
        return f"{base}_{index}"

    def add(self, call: StepCall) -> None:
        self.calls[call.name] = call


def current_tracer() -> PipelineTracer | None:
    """The tracer of the pipeline function being traced in this context, if any."""
    return _TRACER.get()


@contextmanager
def tracing(tracer: PipelineTracer) -> Iterator[PipelineTracer]:
    """Make ``tracer`` current while the pipeline function runs."""
    from cairn.execution.step_context import set_defining_pipeline

    token = _TRACER.set(tracer)
    defining = set_defining_pipeline(True)
    try:
        yield tracer
    finally:
        _TRACER.reset(token)
        set_defining_pipeline(False, defining)
