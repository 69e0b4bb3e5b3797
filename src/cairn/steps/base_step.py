"""``@step``: turn a typed function into a pipeline step.

Example:
    >>> from typing import Annotated
    >>> from cairn import step
    >>> @step
    ... def split(data: list[int]) -> tuple[Annotated[list[int], "train"],
    ...                                     Annotated[list[int], "test"]]:
    ...     return data[:-1], data[-1:]
"""

from __future__ import annotations

import copy
import functools
import hashlib
import inspect
import json
import os
import sys
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, overload

from cairn.exceptions import PipelineDefinitionError
from cairn.models.names import check_name, name_of
from cairn.steps.step_signature import (
    StepSignature,
    analyse,
    definition_location,
    is_compatible,
)
from cairn.steps.tracing import OutputHandle, StepCall, StepOutputs, caller_location, current_tracer

if TYPE_CHECKING:
    from cairn.execution.hooks import HookOption
    from cairn.models.pipeline_spec import HookSpec

_CAIRN_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MaterializerOption = type | Mapping[str, type] | None


class BaseStep:
    """A step: a typed function plus its options.

    Calling a step inside a ``@pipeline`` function records the call and returns
    handles to its outputs (one handle, or a tuple for several outputs). Called
    anywhere else, it simply runs the function (handy in unit tests).

    Args:
        func: the step function.
        name: the step's name (default: the function's name).
        enable_cache: allow reusing earlier results (see ``docs/pipelines.md``).
        materializers: a materializer class for every output, or one per output name.
        step_operator: name of the stack's step operator that runs this step.
        experiment_tracker: name of the stack's experiment tracker this step uses.
        retries: how many times a failed step is run again.
        timeout: seconds after which a running step is failed.
        on_start, on_failure, on_success, on_end: run hooks (a function or an
            import path; see :mod:`cairn.execution.hooks`).
        model: a :class:`cairn.Model` for this step (instead of the pipeline's).
        settings: per-step settings; ``resources`` (``num_cpus``, ``num_gpus``,
            ``memory`` in bytes, and custom resources by name) tells orchestrators
            that place steps on a cluster (Ray) what the step needs.
    """

    def __init__(
        self,
        func: Callable[..., Any],
        *,
        name: str | None = None,
        enable_cache: bool | None = None,
        materializers: MaterializerOption = None,
        step_operator: str | None = None,
        experiment_tracker: str | None = None,
        retries: int = 0,
        timeout: float | None = None,
        on_start: HookOption = None,
        on_failure: HookOption = None,
        on_success: HookOption = None,
        on_end: HookOption = None,
        model: Any = None,
        settings: Mapping[str, Any] | None = None,
    ) -> None:
        if retries < 0:
            raise PipelineDefinitionError(f"{definition_location(func)}: retries must be >= 0.")
        if timeout is not None and timeout <= 0:
            raise PipelineDefinitionError(f"{definition_location(func)}: timeout must be > 0.")
        self.entrypoint = func
        self.name = check_name(
            "step", name if name is not None else name_of(func, "step"), definition_location(func)
        )
        self.enable_cache = enable_cache
        self.materializers = materializers
        self.step_operator = step_operator
        self.experiment_tracker = experiment_tracker
        self.retries = retries
        self.timeout = timeout
        self.model = model
        self.settings = check_step_settings(settings, definition_location(func))
        self._signature: StepSignature | None = None
        self._python_signature: inspect.Signature | None = None
        self._localns = _defining_locals()
        self._code_hash: str | None = None
        self.hooks: dict[str, HookSpec] = {}
        functools.update_wrapper(self, func)
        self._set_hooks(on_start=on_start, on_failure=on_failure, on_success=on_success,
                        on_end=on_end)  # fmt: skip

    def _set_hooks(self, **hooks: HookOption) -> None:
        """Add (or, given ``None``, remove) hooks by event."""
        given = {event: value for event, value in hooks.items() if value is not None}
        self.hooks = {e: h for e, h in self.hooks.items() if e not in hooks}
        if given:
            from cairn.execution.hooks import hook_specs

            self.hooks.update(hook_specs(f"step '{self.name}'", self.location, **given))

    # ------------------------------------------------------------ introspection
    @property
    def signature(self) -> StepSignature:
        """The step's arguments and outputs (read on first use)."""
        if self._signature is None:
            self._signature = analyse(self.entrypoint, self._localns)
        return self._signature

    @property
    def source(self) -> str:
        """Import path of the step function (``module:qualname``)."""
        return f"{self.entrypoint.__module__}:{self.entrypoint.__qualname__}"

    @property
    def source_file(self) -> str | None:
        """The file defining the step function, if known."""
        try:
            return inspect.getsourcefile(self.entrypoint)
        except TypeError:
            return None

    @property
    def code_hash(self) -> str:
        """sha256 of the function's source code (bytecode and constants if no source)."""
        if self._code_hash is None:
            try:
                text = inspect.getsource(self.entrypoint).encode()
            except (OSError, TypeError):
                code = self.entrypoint.__code__
                text = code.co_code + repr(code.co_consts).encode()
            self._code_hash = hashlib.sha256(text).hexdigest()
        return self._code_hash

    @property
    def location(self) -> str:
        """``file:line`` of the step's definition."""
        return definition_location(self.entrypoint)

    def with_options(self, **options: Any) -> BaseStep:
        """A copy of this step with some options changed (same keywords as ``@step``)."""
        clone = copy.copy(self)
        hooks = {}
        for key, value in options.items():
            if key in _HOOKS:
                hooks[key] = value
            elif key == "settings":
                clone.settings = check_step_settings(value, self.location)
            elif key in _OPTIONS:
                setattr(clone, key, value)
            else:
                known = ", ".join(sorted(_OPTIONS | _HOOKS))
                raise PipelineDefinitionError(f"Unknown step option '{key}'; options are: {known}.")
        if hooks:
            clone._set_hooks(**hooks)
        return clone

    # ------------------------------------------------------------ calling
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        tracer = current_tracer()
        if tracer is None:
            return self.entrypoint(*args, **kwargs)
        location = caller_location()
        after = kwargs.pop("after", None)
        inputs, parameters, external = self._bind(args, kwargs, location)
        name = tracer.unique_name(self.name)
        call = StepCall(name, self, inputs, parameters, location, _after_names(after), external)
        tracer.add(call)
        handles = [OutputHandle(name, out, tp) for out, tp in self.signature.outputs.items()]
        if len(handles) == 1:
            return handles[0]
        return StepOutputs(name, handles)

    def _bind(
        self, args: tuple[Any, ...], kwargs: dict[str, Any], location: str
    ) -> tuple[dict[str, OutputHandle], dict[str, Any], dict[str, Any]]:
        if self._python_signature is None:
            self._python_signature = inspect.signature(self.entrypoint)
        try:
            bound = self._python_signature.bind(*args, **kwargs)
        except TypeError as exc:
            accepted = ", ".join(self.signature.parameters) or "none"
            raise PipelineDefinitionError(
                f"{location}: cannot call step '{self.name}': {exc} (its arguments: {accepted})."
            ) from exc
        inputs: dict[str, OutputHandle] = {}
        parameters: dict[str, Any] = {}
        external: dict[str, Any] = {}
        for arg, value in bound.arguments.items():
            expected = self.signature.parameters[arg]
            if is_artifact_reference(value):
                external[arg] = value
                continue
            if isinstance(value, StepOutputs):
                raise PipelineDefinitionError(
                    f"{location}: argument '{arg}' of step '{self.name}' got all outputs of step "
                    f"'{value.step_name}'; pick one: {', '.join(h.output for h in value)}."
                )
            if isinstance(value, OutputHandle):
                if not is_compatible(value.type, expected):
                    raise PipelineDefinitionError(
                        f"{location}: argument '{arg}' of step '{self.name}' expects "
                        f"{_type_name(expected)}, but output '{value.output}' of step "
                        f"'{value.step}' is {_type_name(value.type)}."
                    )
                inputs[arg] = value
            else:
                parameters[arg] = check_parameter(self.name, arg, value, expected, location)
        for arg, default in self.signature.defaults.items():
            if arg not in bound.arguments:
                parameters[arg] = check_parameter(self.name, arg, default, Any, self.location)
        return inputs, parameters, external

    def __repr__(self) -> str:
        return f"<step '{self.name}' ({self.source})>"


_OPTIONS = {
    "name",
    "enable_cache",
    "materializers",
    "step_operator",
    "experiment_tracker",
    "retries",
    "timeout",
    "model",
    "settings",
}

#: Keys of ``resources`` that are not custom resources, and their types.
RESOURCE_KEYS = {"num_cpus": (int, float), "num_gpus": (int, float), "memory": (int, float)}


def check_step_resources(resources: Any, where: str) -> dict[str, float]:
    """``resources`` of a step's settings: numbers >= 0 by name (custom names allowed).

    Raises:
        PipelineDefinitionError: not a mapping, or a value that is not a number >= 0.
    """
    if resources is None:
        return {}
    if not isinstance(resources, Mapping):
        raise PipelineDefinitionError(
            f"{where}: settings 'resources' must be a mapping like {{'num_cpus': 1}}."
        )
    out: dict[str, float] = {}
    for key, value in resources.items():
        if not isinstance(key, str) or not key:
            raise PipelineDefinitionError(f"{where}: resource names must be strings.")
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise PipelineDefinitionError(
                f"{where}: resource '{key}' must be a number >= 0, not {value!r}."
            )
        out[key] = value
    return out


def check_step_settings(settings: Any, where: str) -> dict[str, Any]:
    """A step's ``settings``: ``resources`` (checked) and ``docker`` (accepted, unused).

    Raises:
        PipelineDefinitionError: unknown keys or invalid resources.
    """
    if not settings:
        return {}
    if not isinstance(settings, Mapping):
        raise PipelineDefinitionError(f"{where}: step settings must be a mapping.")
    unknown = sorted(set(settings) - {"resources", "docker"})
    if unknown:
        raise PipelineDefinitionError(
            f"{where}: unknown step settings {', '.join(map(str, unknown))}; accepted: "
            "resources, docker."
        )
    out = dict(settings)
    if "resources" in out:
        out["resources"] = check_step_resources(out["resources"], where)
    return out


_HOOKS = {"on_start", "on_failure", "on_success", "on_end"}


def is_artifact_reference(value: Any) -> bool:
    """Whether a step argument names an artifact rather than a value.

    ``ExternalArtifact(value=...)``, a :class:`LazyArtifact` (an artifact fetched by
    name inside a pipeline definition) or any object with ``__cairn_artifact_id__``
    (the client's artifact version views).
    """
    from cairn.models.artifact_config import ExternalArtifact, LazyArtifact

    return isinstance(value, ExternalArtifact | LazyArtifact) or isinstance(
        getattr(value, "__cairn_artifact_id__", None), str
    )


def _defining_locals() -> dict[str, Any] | None:
    """Local names of the function that defines a step (for annotations of local classes)."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_CAIRN_DIR):
        frame = frame.f_back  # type: ignore[assignment]
    if frame is None or frame.f_locals is frame.f_globals:
        return None
    return dict(frame.f_locals)


def _type_name(tp: Any) -> str:
    return getattr(tp, "__qualname__", None) or repr(tp)


def _after_names(after: Any) -> list[str]:
    if after is None:
        return []
    items = after if isinstance(after, list | tuple) else [after]
    names: list[str] = []
    for item in items:
        if isinstance(item, OutputHandle):
            names.append(item.step)
        elif isinstance(item, StepOutputs):
            names.append(item.step_name)
        elif isinstance(item, str) and item:
            names.append(item)  # a step name (ZenML's after="step_name"), checked at compile
        else:
            raise PipelineDefinitionError(
                f"{caller_location()}: after= takes step names or outputs of step calls, "
                f"not {item!r}."
            )
    return names


def check_parameter(step: str, arg: str, value: Any, expected: Any, location: str) -> Any:
    """Validate a parameter value and return its JSON form.

    Pydantic models are dumped to JSON data; anything else must be JSON-serialisable.

    Raises:
        PipelineDefinitionError: naming the step, argument and the user's line.
    """
    from pydantic import BaseModel

    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(expected, type) and issubclass(expected, BaseModel) and isinstance(value, dict):
        try:
            return expected.model_validate(value).model_dump(mode="json")
        except ValueError as exc:
            raise PipelineDefinitionError(
                f"{location}: parameter '{arg}' of step '{step}' is not a valid "
                f"{expected.__name__}: {exc}"
            ) from exc
    if expected in (int, float, str, bool) and not _scalar_ok(value, expected):
        raise PipelineDefinitionError(
            f"{location}: parameter '{arg}' of step '{step}' expects {expected.__name__}, "
            f"got {type(value).__name__} {value!r}."
        )
    try:
        json.dumps(value)
    except (TypeError, ValueError) as exc:
        raise PipelineDefinitionError(
            f"{location}: parameter '{arg}' of step '{step}' is a {type(value).__name__}, which "
            "is not JSON data or a pydantic model; produce it in a step and pass that step's "
            "output instead."
        ) from exc
    return value


def _scalar_ok(value: Any, expected: type) -> bool:
    if value is None:
        return True  # a None default is the user's choice
    if expected is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, expected)


@overload
def step(func: Callable[..., Any], /) -> BaseStep: ...


@overload
def step(
    *,
    name: str | None = None,
    enable_cache: bool | None = None,
    materializers: MaterializerOption = None,
    step_operator: str | None = None,
    experiment_tracker: str | None = None,
    retries: int = 0,
    timeout: float | None = None,
    on_start: HookOption = None,
    on_failure: HookOption = None,
    on_success: HookOption = None,
    on_end: HookOption = None,
    model: Any = None,
    settings: Mapping[str, Any] | None = None,
) -> Callable[[Callable[..., Any]], BaseStep]: ...


def step(
    func: Callable[..., Any] | None = None,
    /,
    **options: Any,
) -> BaseStep | Callable[[Callable[..., Any]], BaseStep]:
    """Make a function a pipeline step: ``@step`` or ``@step(name=..., enable_cache=...)``.

    See :class:`BaseStep` for the options.
    """
    if func is not None:
        return BaseStep(func, **options)

    def decorator(f: Callable[..., Any]) -> BaseStep:
        return BaseStep(f, **options)

    return decorator
