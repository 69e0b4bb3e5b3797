"""Compile traced step calls into a :class:`~cairn.models.pipeline_spec.PipelineSpec`.

Every check that can fail before anything runs happens here: handles from
another pipeline, unknown step parameters (from a config file), materializers
that do not exist or do not handle an output's type. Errors name the user's
file and line.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from typing import Any

from cairn.exceptions import MaterializerError, PipelineDefinitionError
from cairn.materializers.base_materializer import BaseMaterializer
from cairn.materializers.registry import materializer_for, normalize_type, type_name
from cairn.models.artifact_config import ArtifactConfig, ExternalArtifact, LazyArtifact
from cairn.models.pipeline_spec import (
    ExternalInputSpec,
    HookSpec,
    InputSpec,
    ModelSpec,
    OutputSpec,
    PipelineSpec,
    StepSpec,
)
from cairn.steps.base_step import BaseStep, check_parameter
from cairn.steps.step_signature import type_source
from cairn.steps.tracing import PipelineTracer, StepCall


def _handles(materializer: type[BaseMaterializer], data_type: type) -> bool:
    if data_type is object or not materializer.ASSOCIATED_TYPES:
        return True
    names = {type_name(k) if isinstance(k, type) else k for k in materializer.ASSOCIATED_TYPES}
    return any(type_name(k) in names for k in data_type.__mro__)


def _override(step: BaseStep, output: str) -> Any:
    option = step.materializers
    if option is None:
        return None
    if isinstance(option, Mapping):
        unknown = set(option) - set(step.signature.outputs)
        if unknown:
            raise PipelineDefinitionError(
                f"{step.location}: materializers= names unknown output(s) of step "
                f"'{step.name}': {', '.join(sorted(unknown))}; its outputs are: "
                f"{', '.join(step.signature.outputs) or 'none'}."
            )
        return option.get(output)
    return option


def materializer_source(step: BaseStep, output: str, declared: Any) -> str:
    """Import path of the materializer of one output (the override, else by type).

    Raises:
        PipelineDefinitionError: the override is not a materializer or does not handle
            the output's type, or no materializer can be imported.
    """
    data_type = normalize_type(declared)
    chosen = _override(step, output)
    if chosen is None:
        try:
            return materializer_for(data_type).source()
        except MaterializerError as exc:
            raise PipelineDefinitionError(f"{step.location}: output '{output}': {exc}") from exc
    if not (isinstance(chosen, type) and issubclass(chosen, BaseMaterializer)):
        raise PipelineDefinitionError(
            f"{step.location}: materializer {chosen!r} of output '{output}' of step "
            f"'{step.name}' is not a subclass of cairn.materializers.BaseMaterializer."
        )
    if not _handles(chosen, data_type):
        raise PipelineDefinitionError(
            f"{step.location}: materializer {chosen.source()} does not handle "
            f"{type_name(data_type)} (output '{output}' of step '{step.name}'); it handles: "
            f"{', '.join(str(t) for t in chosen.ASSOCIATED_TYPES)}."
        )
    return chosen.source()


def _source_file(step: BaseStep) -> str | None:
    """The file defining the step function (lets another process import ``__main__`` steps)."""
    code = getattr(step.entrypoint, "__code__", None)
    if code is not None and not code.co_filename.startswith("<"):
        return str(code.co_filename)
    module = sys.modules.get(step.entrypoint.__module__)
    path = getattr(module, "__file__", None)
    return str(path) if path else None


def _step_spec(call: StepCall, tracer: PipelineTracer) -> StepSpec:
    step = call.step
    for arg, handle in call.inputs.items():
        if handle.step not in tracer.calls:
            raise PipelineDefinitionError(
                f"{call.location}: argument '{arg}' of step '{call.name}' is an output of "
                f"step '{handle.step}', which is not part of pipeline '{tracer.pipeline_name}'."
            )
    outputs = {
        name: _output_spec(call, tracer, name, tp) for name, tp in step.signature.outputs.items()
    }
    upstream = list(dict.fromkeys([h.step for h in call.inputs.values()] + call.after))
    return StepSpec(
        name=call.name,
        source=step.source,
        source_file=_source_file(step),
        code_hash=step.code_hash,
        parameters=call.parameters,
        inputs={a: InputSpec(step=h.step, output=h.output) for a, h in call.inputs.items()},
        outputs=outputs,
        upstream=upstream,
        enable_cache=step.enable_cache,
        retries=step.retries,
        timeout=step.timeout,
        step_operator=step.step_operator,
        experiment_tracker=step.experiment_tracker,
        hooks=step.hooks,
        external_inputs={a: _external_spec(call, a, v) for a, v in call.external.items()},
        model=model_spec(step.model, step.location),
        resources=dict(getattr(step, "settings", {}).get("resources", {})),
    )


def _output_spec(call: StepCall, tracer: PipelineTracer, name: str, declared: Any) -> OutputSpec:
    """An output's type, materializer and artifact name, version, tags and metadata.

    The artifact's name is ``ArtifactConfig(name=...)`` or the output's name; an
    unnamed output (``output``) is named ``<pipeline>::<step>::output`` as in ZenML,
    so that single-output steps do not all share one artifact name.
    """
    from cairn.steps.step_signature import DEFAULT_OUTPUT

    step = call.step
    config = step.signature.artifact_configs.get(name) or ArtifactConfig()
    default = f"{tracer.pipeline_name}::{call.name}::{name}" if name == DEFAULT_OUTPUT else name
    try:
        metadata = dict(config.run_metadata or {})
        json.dumps(metadata)
    except (TypeError, ValueError) as exc:
        raise PipelineDefinitionError(
            f"{step.location}: run_metadata of output '{name}' of step '{step.name}' must be "
            f"a dict of JSON values: {exc}."
        ) from exc
    return OutputSpec(
        type=type_source(declared),
        materializer=materializer_source(step, name, declared),
        artifact_name=config.name or default,
        version=None if config.version is None else str(config.version),
        tags=sorted(set(config.tags or ())),
        run_metadata=metadata,
        is_model_artifact=config.is_model_artifact,
    )


def _external_spec(call: StepCall, arg: str, value: Any) -> ExternalInputSpec:
    if isinstance(value, ExternalArtifact):
        return ExternalInputSpec(kind="value", name=value.name)
    if isinstance(value, LazyArtifact):
        if value.model_name is not None:
            return ExternalInputSpec(
                kind="model",
                name=value.name,
                version=value.version,
                model_name=value.model_name,
                model_version=value.model_version,
            )
        return ExternalInputSpec(kind="name", name=value.name, version=value.version)
    return ExternalInputSpec(kind="id", artifact_id=value.__cairn_artifact_id__)


def model_spec(model: Any, location: str) -> ModelSpec | None:
    """The plain spec of a ``Model(...)`` option (None without one).

    Raises:
        PipelineDefinitionError: ``model=`` is not a ``cairn.Model``.
    """
    if model is None:
        return None
    to_spec = getattr(model, "to_spec", None)
    if not callable(to_spec):
        raise PipelineDefinitionError(
            f"{location}: model= takes a cairn.Model(name=...), not {model!r}."
        )
    spec = to_spec()
    assert isinstance(spec, ModelSpec)
    return spec


def apply_step_parameters(
    tracer: PipelineTracer, step_parameters: Mapping[str, Mapping[str, Any]]
) -> None:
    """Override parameters of traced step calls (``steps.<name>.parameters`` of a config).

    Raises:
        PipelineDefinitionError: for an unknown step, an unknown parameter, or a
            parameter that is bound to an upstream output.
    """
    for name, values in step_parameters.items():
        call = tracer.calls.get(name)
        if call is None:
            raise PipelineDefinitionError(
                f"Pipeline '{tracer.pipeline_name}' has no step '{name}'; its steps are: "
                f"{', '.join(tracer.calls)}."
            )
        accepted = call.step.signature.parameters
        for key, value in values.items():
            if key not in accepted or key in call.inputs:
                allowed = [p for p in accepted if p not in call.inputs]
                raise PipelineDefinitionError(
                    f"Step '{name}' has no parameter '{key}'; its parameters are: "
                    f"{', '.join(allowed) or 'none'}."
                )
            call.parameters[key] = check_parameter(
                name, key, value, accepted[key], call.step.location
            )


def compile_spec(
    tracer: PipelineTracer,
    *,
    source: str,
    parameters: dict[str, Any],
    enable_cache: bool | None,
    hooks: Mapping[str, HookSpec] | None = None,
    model: ModelSpec | None = None,
) -> PipelineSpec:
    """The spec of a traced pipeline, validated (edges, outputs, no cycle)."""
    if not tracer.calls:
        raise PipelineDefinitionError(
            f"Pipeline '{tracer.pipeline_name}' calls no step: call steps inside its function."
        )
    steps = {name: _step_spec(call, tracer) for name, call in tracer.calls.items()}
    spec = PipelineSpec(
        name=tracer.pipeline_name,
        source=source,
        parameters=parameters,
        enable_cache=enable_cache,
        steps=steps,
        hooks=dict(hooks or {}),
        model=model,
    )
    spec.validate_dag()
    return spec
