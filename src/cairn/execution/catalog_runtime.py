"""What the catalog adds to a run: model versions, inputs by name, named output versions.

Called by the pipeline runner when a run starts (:func:`resolve_run_catalog`,
:func:`link_run`) and by the step runner when a step ends
(:func:`register_outputs`) or is reused from the cache (:func:`reuse_outputs`).

* Inputs by name (``Client().get_artifact_version(name)`` or
  ``Model.get_artifact(name)`` in a pipeline definition) are looked up here, when
  the run starts: a run uses the version current then, not at import time.
* ``ExternalArtifact(value=...)`` values are saved here as new artifact versions.
* A ``Model`` without a version gets a new version per run; with a version, the
  version named (a stage, ``latest``, a number, or a name created if new).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from cairn.exceptions import DoesNotExistError, PipelineDefinitionError

if TYPE_CHECKING:
    from cairn.execution.step_context import StepContext
    from cairn.metadata_stores.base_metadata_store import BaseMetadataStore
    from cairn.models.catalog_records import ModelVersionRecord
    from cairn.models.pipeline_spec import (
        ExternalInputSpec,
        ModelSpec,
        PipelineDeployment,
        PipelineSpec,
        StepSpec,
    )
    from cairn.models.run_records import ArtifactRecord
    from cairn.stack.stack import Stack

_SELECTORS = ("latest", "staging", "production", "archived")


def _model_key(spec: ModelSpec) -> str:
    return spec.model_dump_json()


def _existing_version(store: BaseMetadataStore, spec: ModelSpec) -> ModelVersionRecord | None:
    """The version a model spec names, if it exists (None: create one)."""
    if spec.version is None:
        return None
    try:
        return store.get_model_version(spec.name, spec.version)
    except DoesNotExistError:
        if spec.version.lower() in _SELECTORS or spec.version.isdigit():
            raise DoesNotExistError(
                f"Model '{spec.name}' has no version {spec.version!r} (needed by the run): "
                f"see 'cairn model versions {spec.name}'."
            ) from None
        return None


def resolve_run_catalog(
    spec: PipelineSpec, stack: Stack, external_values: Mapping[str, Mapping[str, Any]]
) -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    """External inputs as artifact ids, and the model version of each step.

    Lookups come first (a missing artifact or model version fails the run before
    anything is written); then new model versions are created and external
    values saved.

    Returns:
        ``(external_artifacts, model_versions)`` for the run's deployment.
    """
    store = stack.metadata_store
    specs = {name: step.model or spec.model for name, step in spec.steps.items()}
    existing: dict[str, ModelVersionRecord | None] = {}
    for model in specs.values():
        if model is not None and _model_key(model) not in existing:
            existing[_model_key(model)] = _existing_version(store, model)
    external: dict[str, dict[str, str]] = {}
    for name, step in spec.steps.items():
        for arg, ref in step.external_inputs.items():
            if ref.kind != "value":
                external.setdefault(name, {})[arg] = _lookup(store, ref, spec.model, step)
    versions: dict[str, ModelVersionRecord] = {}
    for model in specs.values():
        if model is not None and _model_key(model) not in versions:
            versions[_model_key(model)] = _create_version(store, model, existing)
    for name, step in spec.steps.items():
        for arg, ref in step.external_inputs.items():
            if ref.kind == "value":
                value = external_values.get(name, {}).get(arg)
                external.setdefault(name, {})[arg] = _save_value(stack, spec, step, arg, ref, value)
    per_step = {n: versions[_model_key(m)].id for n, m in specs.items() if m is not None}
    return external, per_step


def _create_version(
    store: BaseMetadataStore, model: ModelSpec, existing: Mapping[str, ModelVersionRecord | None]
) -> ModelVersionRecord:
    record = store.get_or_create_model(model.name, model.description, model.tags)
    found = existing.get(_model_key(model))
    if found is not None:
        return found
    version = store.create_model_version(record.id, name=model.version)
    for key, value in model.properties.items():
        store.log_entity_metadata("model_version", version.id, key, value)
    return version


def _lookup(
    store: BaseMetadataStore, ref: ExternalInputSpec, default: ModelSpec | None, step: StepSpec
) -> str:
    if ref.kind == "id":
        assert ref.artifact_id is not None
        return store.get_artifact(ref.artifact_id).id
    assert ref.name is not None
    if ref.kind == "name":
        return store.get_artifact_version(ref.name, ref.version).id
    assert ref.model_name is not None
    version = store.get_model_version(ref.model_name, ref.model_version)
    links = [
        link.artifact
        for link in store.get_model_version_artifacts(version.id)
        if link.artifact.name == ref.name and ref.version in (None, link.artifact.version)
    ]
    if not links:
        raise DoesNotExistError(
            f"Step '{step.name}': version '{version.name}' of model '{ref.model_name}' has no "
            f"artifact '{ref.name}' (see 'cairn model describe {ref.model_name}:{version.name}')."
        )
    return links[-1].id


def _save_value(
    stack: Stack, spec: PipelineSpec, step: StepSpec, arg: str, ref: ExternalInputSpec, value: Any
) -> str:
    from cairn.execution.artifact_versions import save_artifact
    from cairn.models.artifact_config import ExternalArtifact

    if not isinstance(value, ExternalArtifact):
        raise PipelineDefinitionError(
            f"Step '{step.name}' input '{arg}' is an ExternalArtifact whose value is only known "
            "in the process that defined the pipeline: run it from there (pipeline.run())."
        )
    name = ref.name or f"external_{spec.name}_{step.name}_{arg}"
    saved = save_artifact(
        value.value,
        name,
        materializer=value.materializer,
        stores=(stack.metadata_store, stack.artifact_store),
    )
    return saved.id


def link_run(store: BaseMetadataStore, model_versions: Mapping[str, str], run_id: str) -> None:
    """Record that the run produced or used its model versions."""
    for version_id in sorted(set(model_versions.values())):
        store.link_run_to_model_version(version_id, run_id)


def register_outputs(
    store: BaseMetadataStore,
    deployment: PipelineDeployment,
    step: StepSpec,
    outputs: Mapping[str, ArtifactRecord],
    context: StepContext,
) -> None:
    """Name and version each new output, attach its tags and metadata, link it to the model."""
    version_id = deployment.model_versions.get(step.name)
    for name, artifact in outputs.items():
        spec = step.outputs[name]
        tags = [*spec.tags, *context.output_tags.get(name, [])]
        store.register_artifact_version(
            artifact.id,
            spec.artifact_name or name,
            spec.version,
            tags=tags,
            is_model_artifact=spec.is_model_artifact,
            artifact=artifact,
        )
        metadata = {**spec.run_metadata, **context.output_metadata.get(name, {})}
        for key, value in metadata.items():
            store.log_entity_metadata("artifact", artifact.id, key, value)
        if version_id is not None:
            kind = "model" if spec.is_model_artifact else "data"
            store.link_artifact_to_model_version(version_id, artifact.id, kind)


def reuse_outputs(
    store: BaseMetadataStore,
    deployment: PipelineDeployment,
    step: StepSpec,
    outputs: Mapping[str, ArtifactRecord],
    prior_step_run_id: str,
    step_run_id: str,
) -> None:
    """A cached step shows the metadata of the step run that produced its outputs, and its
    outputs are linked to this run's model version."""
    for key, entry in store.get_metadata(prior_step_run_id).items():
        store.log_metadata(step_run_id, key, entry.value)
    version_id = deployment.model_versions.get(step.name)
    if version_id is None:
        return
    for name, artifact in outputs.items():
        kind = "model" if step.outputs[name].is_model_artifact else "data"
        store.link_artifact_to_model_version(version_id, artifact.id, kind)
