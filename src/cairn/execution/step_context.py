"""What a running step can ask about itself: ``get_step_context()`` and ``log_metadata()``.

Example:
    >>> from cairn import get_step_context, log_metadata, step
    >>> @step
    ... def train(lr: float = 0.1) -> float:
    ...     context = get_step_context()
    ...     print(context.step_name, context.run_name, context.output_uris)
    ...     log_metadata(accuracy=0.93, model="logreg")          # Cairn's keyword form
    ...     log_metadata(metadata={"accuracy": 0.93})              # ZenML's form
    ...     context.add_output_metadata({"rows": 10})
    ...     return 0.93
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cairn.exceptions import CairnUserError

if TYPE_CHECKING:
    from cairn.enums import StackComponentType
    from cairn.execution.model import Model
    from cairn.models.run_records import RunRecord, StepRunRecord
    from cairn.stack.stack import Stack
    from cairn.stack.stack_component import StackComponent

_CONTEXT: ContextVar[StepContext | None] = ContextVar("cairn_step_context", default=None)
_DEFINING: ContextVar[bool] = ContextVar("cairn_defining_pipeline", default=False)


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
        metadata: what ``log_metadata`` collected for the step (written when it ends).
        model_version_id: the model version of the step (``@pipeline(model=...)``), if any.
        output_metadata: ``add_output_metadata`` values by output name.
        output_tags: ``add_output_tags`` tags by output name.
        artifact_names: the artifact name of each output.
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
    model_version_id: str | None = None
    output_metadata: dict[str, dict[str, Any]] = field(default_factory=dict)
    output_tags: dict[str, list[str]] = field(default_factory=dict)
    artifact_names: dict[str, str] = field(default_factory=dict)

    @property
    def components(self) -> dict[StackComponentType, StackComponent]:
        """The stack's components, by type."""
        return self.stack.components

    @property
    def pipeline_run(self) -> RunRecord:
        """The run's record (read now): ``name``, ``id``, ``status``, ``parameters``..."""
        return self.stack.metadata_store.get_run(self.run_id)

    @property
    def step_run(self) -> StepRunRecord:
        """This step run's record (read now)."""
        return self.stack.metadata_store.get_step_run(self.step_run_id)

    @property
    def model(self) -> Model:
        """The model version of this run (``@pipeline(model=...)`` or ``@step(model=...)``).

        Raises:
            CairnUserError: neither the pipeline nor the step has a model.
        """
        from cairn.execution.model import Model

        if self.model_version_id is None:
            raise CairnUserError(
                f"Step '{self.step_name}' has no model: give one with "
                "@pipeline(model=Model(name=...)) or @step(model=...)."
            )
        store = self.stack.metadata_store
        record = store.get_model_version_by_id(self.model_version_id)
        return Model.bound(record, store, self.stack.artifact_store)

    def _output(self, output_name: str | None) -> str:
        if output_name is None:
            if len(self.output_uris) != 1:
                raise CairnUserError(
                    f"Step '{self.step_name}' has {len(self.output_uris)} outputs "
                    f"({', '.join(self.output_uris) or 'none'}): name one with output_name=..."
                )
            return next(iter(self.output_uris))
        if output_name not in self.output_uris:
            raise CairnUserError(
                f"Step '{self.step_name}' has no output '{output_name}'; its outputs are: "
                f"{', '.join(self.output_uris) or 'none'}."
            )
        return output_name

    def add_output_metadata(
        self, metadata: Mapping[str, Any], output_name: str | None = None
    ) -> None:
        """Attach metadata to the artifact version an output becomes (when the step ends)."""
        name = self._output(output_name)
        self.output_metadata.setdefault(name, {}).update(jsonable_metadata(metadata))

    def add_output_tags(self, tags: Sequence[str], output_name: str | None = None) -> None:
        """Tag the artifact version an output becomes (when the step ends)."""
        name = self._output(output_name)
        values = [tags] if isinstance(tags, str) else list(tags)
        self.output_tags.setdefault(name, []).extend(values)

    def get_output_artifact_uri(self, output_name: str | None = None) -> str:
        """Where an output will be stored."""
        return self.output_uris[self._output(output_name)]


def get_step_context() -> StepContext:
    """The context of the step running in this thread.

    Raises:
        CairnUserError: when called outside a running step.
    """
    context = _CONTEXT.get()
    if context is None:
        raise CairnUserError("get_step_context() works only inside a step while a pipeline runs.")
    return context


def current_step_context() -> StepContext | None:
    """The running step's context, or None outside a step."""
    return _CONTEXT.get()


def defining_pipeline() -> bool:
    """Whether a pipeline function is being traced in this context."""
    return _DEFINING.get()


def set_defining_pipeline(value: bool, token: Any = None) -> Any:
    """Set (or, with the token of the earlier call, reset) the tracing flag."""
    if token is not None:
        _DEFINING.reset(token)
        return None
    return _DEFINING.set(value)


def jsonable_metadata(values: Mapping[str, Any]) -> dict[str, Any]:
    """Check metadata values: numbers, strings or JSON data (numpy scalars become numbers).

    Raises:
        CairnUserError: naming the key whose value is not JSON data.
    """
    if not isinstance(values, Mapping):
        raise CairnUserError(
            f"metadata must be a dict of keys to values, not a {type(values).__name__}."
        )
    out: dict[str, Any] = {}
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
        out[str(key)] = value
    return out


def log_metadata(metadata: Mapping[str, Any] | None = None, **values: Any) -> None:
    """Attach metadata to a step run, a run, an artifact version or a model version.

    Two forms:

    * Cairn's: ``log_metadata(accuracy=0.9)`` inside a step (the running step).
    * ZenML's: ``log_metadata(metadata={...}, <target>)`` where the target is
      nothing (the running step), ``step_name=`` (with ``run_id_name_or_prefix=``
      outside a step), ``run_id_name_or_prefix=`` (a run), ``artifact_name=``
      (+ ``artifact_version=``), ``artifact_version_id=``, ``infer_artifact=True``
      (an output of the running step; ``artifact_name=`` picks which), ``model_name=``
      + ``model_version=``, ``model_version_id=``, or ``infer_model=True`` (the
      running step's model).

    Values are written when the step ends (step and output metadata) or at once.

    Raises:
        CairnUserError: a value is not JSON data, both forms are mixed, targets are
            ambiguous, or a target is missing.
    """
    from cairn.execution.metadata_targets import TARGET_KEYS, log_to_target

    targets = {k: values.pop(k) for k in list(values) if k in TARGET_KEYS}
    if metadata is None:
        if targets:
            raise CairnUserError(
                f"log_metadata: {', '.join(sorted(targets))} given without metadata={{...}}; "
                "pass the values as metadata={'key': value}."
            )
        context = get_step_context()
        context.metadata.update(jsonable_metadata(values))
        return
    if values:
        raise CairnUserError(
            "log_metadata: give either metadata={...} or key=value keywords, not both "
            f"(got keywords {', '.join(sorted(values))}); put them all in metadata."
        )
    log_to_target(jsonable_metadata(metadata), targets)


def set_step_context(context: StepContext | None) -> Any:
    """Make ``context`` current in this thread; returns a token for :func:`reset_step_context`."""
    return _CONTEXT.set(context)


def reset_step_context(token: Any) -> None:
    """Restore the context that was current before :func:`set_step_context`."""
    _CONTEXT.reset(token)
