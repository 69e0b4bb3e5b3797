"""What a step function takes and returns, read from its type annotations.

* Every argument may be bound to an upstream output (an *input artifact*) or to a
  value (a *parameter*: JSON data or a pydantic model); which one is decided at
  each call in a pipeline.
* The return annotation gives the outputs: a single type gives one output named
  ``output``; ``Annotated[T, "name"]`` names it; ``tuple[Annotated[A, "a"],
  Annotated[B, "b"]]`` gives several; ``None`` (or no annotation) gives none...
  except that a missing annotation gives one untyped output ``output``.
"""

from __future__ import annotations

import inspect
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, get_args, get_origin

from cairn.exceptions import PipelineDefinitionError
from cairn.models.artifact_config import ArtifactConfig
from cairn.models.names import check_name

DEFAULT_OUTPUT = "output"


@dataclass(frozen=True)
class StepSignature:
    """The arguments and outputs of a step function.

    Attributes:
        parameters: argument name -> annotation (``Any`` when not annotated).
        defaults: argument name -> default value, for arguments that have one.
        outputs: output name -> declared type, in return order.
        artifact_configs: output name -> its ``ArtifactConfig``, for outputs that have one.
    """

    parameters: dict[str, Any]
    defaults: dict[str, Any]
    outputs: dict[str, Any]
    artifact_configs: dict[str, ArtifactConfig] = field(default_factory=dict)


def definition_location(func: Callable[..., Any]) -> str:
    """``file:line`` where ``func`` is defined."""
    code = getattr(func, "__code__", None)
    if code is None:
        return getattr(func, "__qualname__", repr(func))
    return f"{code.co_filename}:{code.co_firstlineno}"


def _annotated_name(annotation: Any) -> tuple[Any, str | None]:
    """Split ``Annotated[T, "name"]`` into ``(T, "name")``; other types give ``(T, None)``.

    ``Annotated[T, ArtifactConfig(name="n")]`` names the output ``n`` too (a string,
    if both are given, names the output and the config names the artifact).
    """
    if get_origin(annotation) is Annotated:
        base, *extras = get_args(annotation)
        names = [e for e in extras if isinstance(e, str)]
        configs = [e.name for e in extras if isinstance(e, ArtifactConfig) and e.name]
        names = names or configs
        return base, (names[0] if names else None)
    return annotation, None


def _artifact_config(annotation: Any) -> ArtifactConfig | None:
    if get_origin(annotation) is Annotated:
        for extra in get_args(annotation)[1:]:
            if isinstance(extra, ArtifactConfig):
                return extra
    return None


def artifact_configs(annotation: Any) -> dict[str, ArtifactConfig]:
    """The ``ArtifactConfig`` of each output that has one, by output name."""
    if annotation is inspect.Signature.empty or annotation is None:
        return {}
    members = get_args(annotation) if get_origin(annotation) is tuple else ()
    named = [(m, _annotated_name(m)[1]) for m in members]
    if members and all(n is not None for _, n in named):
        return {n: c for m, n in named if n and (c := _artifact_config(m)) is not None}
    config = _artifact_config(annotation)
    return {} if config is None else {_annotated_name(annotation)[1] or DEFAULT_OUTPUT: config}


def parse_outputs(annotation: Any, where: str) -> dict[str, Any]:
    """Output names and types from a return annotation (see the module docs)."""
    if annotation is inspect.Signature.empty:
        return {DEFAULT_OUTPUT: Any}
    if annotation is None or annotation is type(None):
        return {}
    if get_origin(annotation) is tuple:
        members = get_args(annotation)
        named = [_annotated_name(m) for m in members]
        if members and Ellipsis not in members and all(n is not None for _, n in named):
            outputs: dict[str, Any] = {}
            for base, name in named:
                assert name is not None
                check_name("output", name, where)
                if name in outputs:
                    raise PipelineDefinitionError(
                        f"{where}: output name '{name}' is used twice in the return annotation."
                    )
                outputs[name] = base
            return outputs
        if any(n is not None for _, n in named):
            raise PipelineDefinitionError(
                f"{where}: name every member of the returned tuple with Annotated[T, 'name'] "
                "(or none of them, for a single tuple output)."
            )
    base, name = _annotated_name(annotation)
    if name is not None:
        check_name("output", name, where)
    return {name or DEFAULT_OUTPUT: base}


def analyse(func: Callable[..., Any], localns: dict[str, Any] | None = None) -> StepSignature:
    """Read the arguments and outputs of a step function.

    Raises:
        PipelineDefinitionError: for ``*args``/``**kwargs``, unresolvable annotations
            or badly named outputs, pointing at the function's file and line.

    ``localns`` resolves annotations naming classes local to the defining function.
    """
    where = definition_location(func)
    try:
        hints = typing.get_type_hints(func, localns=localns, include_extras=True)
    except Exception as exc:
        raise PipelineDefinitionError(
            f"{where}: cannot resolve the type annotations of step '{func.__name__}': {exc}."
        ) from exc
    signature = inspect.signature(func)
    parameters: dict[str, Any] = {}
    defaults: dict[str, Any] = {}
    for name, param in signature.parameters.items():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            raise PipelineDefinitionError(
                f"{where}: step '{func.__name__}' takes *{name}; steps need named arguments."
            )
        base, _ = _annotated_name(hints.get(name, Any))
        parameters[name] = base
        if param.default is not param.empty:
            defaults[name] = param.default
    returns = hints.get("return", inspect.Signature.empty)
    outputs = parse_outputs(returns, where)
    return StepSignature(parameters, defaults, outputs, artifact_configs(returns))


def type_source(tp: Any) -> str:
    """Import path (``module:QualName``) of a type; ``typing:Any`` for non-classes."""
    origin = get_origin(tp) or tp
    if isinstance(origin, type):
        return f"{origin.__module__}:{origin.__qualname__}"
    return "typing:Any"


def is_compatible(provided: Any, expected: Any) -> bool:
    """Whether an output declared as ``provided`` may feed an input annotated ``expected``."""
    if get_origin(expected) in (typing.Union, types.UnionType):
        return any(is_compatible(provided, member) for member in get_args(expected))
    if get_origin(provided) in (typing.Union, types.UnionType):
        return True
    provided = get_origin(provided) or provided
    expected = get_origin(expected) or expected
    if provided is Any or expected is Any or expected is object:
        return True
    if not isinstance(provided, type) or not isinstance(expected, type):
        return True  # unions, type variables, ...: not checked
    if expected is float and provided is int:
        return True
    try:
        return issubclass(provided, expected)
    except TypeError:
        return True
