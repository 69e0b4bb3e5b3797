"""Where ZenML-style ``log_metadata(metadata={...}, <target>)`` writes.

One target per call; the keywords of each target are listed in :data:`TARGETS`.
Anything that does not name exactly one target is refused with an error that
says what to pass.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from cairn.exceptions import CairnUserError, DoesNotExistError

if TYPE_CHECKING:
    from cairn.metadata_stores.base_metadata_store import BaseMetadataStore

#: Target -> the keywords that select it.
TARGETS: dict[str, tuple[str, ...]] = {
    "step": ("step_name", "step_id"),
    "run": ("run_id_name_or_prefix",),
    "artifact": ("artifact_name", "artifact_version", "artifact_version_id", "infer_artifact"),
    "model": ("model_name", "model_version", "model_version_id", "infer_model"),
}
TARGET_KEYS = frozenset(k for keys in TARGETS.values() for k in keys)


def _chosen(targets: Mapping[str, Any]) -> str | None:
    given = {k for k, v in targets.items() if v not in (None, False)}
    kinds = {kind for kind, keys in TARGETS.items() if given & set(keys)}
    if "step" in kinds and kinds == {"step", "run"}:
        return "step"  # step_name= with run_id_name_or_prefix=: a step of that run
    if len(kinds) > 1:
        raise CairnUserError(
            "log_metadata: the target is ambiguous (" + ", ".join(sorted(given)) + "); name one "
            "of: a step (step_name/step_id), a run (run_id_name_or_prefix), an artifact "
            "(artifact_name/artifact_version_id/infer_artifact), a model version "
            "(model_name+model_version/model_version_id/infer_model)."
        )
    return next(iter(kinds), None)


def log_to_target(metadata: dict[str, Any], targets: Mapping[str, Any]) -> None:
    """Write ``metadata`` to the one target ``targets`` names (the running step if none)."""
    from cairn.execution.step_context import current_step_context

    kind = _chosen(targets)
    context = current_step_context()
    if kind is None:
        if context is None:
            raise CairnUserError(
                "log_metadata(metadata=...) outside a step needs a target: step_name= and "
                "run_id_name_or_prefix=, run_id_name_or_prefix=, artifact_name=, or model_name=."
            )
        context.metadata.update(metadata)
        return
    {"step": _to_step, "run": _to_run, "artifact": _to_artifact, "model": _to_model}[kind](
        metadata, targets
    )


def _store() -> BaseMetadataStore:
    from cairn.execution.artifact_versions import current_stores

    return current_stores()[0]


def _run_id(store: BaseMetadataStore, name_id_or_prefix: str) -> str:
    try:
        return store.get_run(name_id_or_prefix).id
    except DoesNotExistError:
        matches = [
            r
            for r in store.list_runs(limit=1000)
            if r.id.startswith(name_id_or_prefix) or r.name.startswith(name_id_or_prefix)
        ]
        if len(matches) == 1:
            return matches[0].id
        what = "matches no run" if not matches else f"matches {len(matches)} runs"
        raise DoesNotExistError(
            f"log_metadata: run_id_name_or_prefix {name_id_or_prefix!r} {what}; give a run's "
            "full name or id ('cairn pipeline runs list')."
        ) from None


def _to_step(metadata: dict[str, Any], targets: Mapping[str, Any]) -> None:
    from cairn.execution.step_context import current_step_context

    store, context = _store(), current_step_context()
    step_id = targets.get("step_id")
    if step_id is None:
        step_name, run = targets.get("step_name"), targets.get("run_id_name_or_prefix")
        if run is None and context is None:
            raise CairnUserError(
                f"log_metadata(step_name={step_name!r}) outside a step needs "
                "run_id_name_or_prefix= (the run the step belongs to)."
            )
        run_id = _run_id(store, run) if run is not None else context.run_id  # type: ignore[union-attr]
        found = [s for s in store.get_step_runs(run_id) if s.name == step_name]
        if not found:
            raise DoesNotExistError(f"log_metadata: run {run_id} has no step '{step_name}'.")
        step_id = found[0].id
    if context is not None and step_id == context.step_run_id:
        context.metadata.update(metadata)  # the running step: written when it ends
        return
    for key, value in metadata.items():
        store.log_metadata(step_id, key, value)


def _to_run(metadata: dict[str, Any], targets: Mapping[str, Any]) -> None:
    store = _store()
    run_id = _run_id(store, targets["run_id_name_or_prefix"])
    for key, value in metadata.items():
        store.log_entity_metadata("run", run_id, key, value)


def _to_artifact(metadata: dict[str, Any], targets: Mapping[str, Any]) -> None:
    from cairn.execution.step_context import current_step_context

    context = current_step_context()
    name, version = targets.get("artifact_name"), targets.get("artifact_version")
    if targets.get("infer_artifact") or (
        context is not None
        and name is not None
        and version is None
        and targets.get("artifact_version_id") is None
        and _output_named(context, name) is not None
    ):
        if context is None:
            raise CairnUserError("log_metadata(infer_artifact=True) works only inside a step.")
        output = _output_named(context, name) if name is not None else None
        if name is not None and output is None:
            raise CairnUserError(
                f"log_metadata: step '{context.step_name}' has no output '{name}'; its outputs "
                f"are: {', '.join(context.output_uris) or 'none'}."
            )
        context.add_output_metadata(metadata, output)
        return
    store = _store()
    artifact_id = targets.get("artifact_version_id")
    if artifact_id is None:
        if name is None:
            raise CairnUserError("log_metadata: artifact_version= needs artifact_name= too.")
        artifact_id = store.get_artifact_version(name, version).id
    else:
        store.get_artifact(artifact_id)
    for key, value in metadata.items():
        store.log_entity_metadata("artifact", artifact_id, key, value)


def _output_named(context: Any, name: str) -> str | None:
    """The output of the running step called ``name`` (output or artifact name), if any."""
    if name in context.output_uris:
        return str(name)
    artifact_names = getattr(context, "artifact_names", {}) or {}
    for output, artifact in artifact_names.items():
        if artifact == name:
            return str(output)
    return None


def _to_model(metadata: dict[str, Any], targets: Mapping[str, Any]) -> None:
    from cairn.execution.step_context import current_step_context

    store = _store()
    version_id = targets.get("model_version_id")
    if version_id is None and targets.get("infer_model"):
        context = current_step_context()
        if context is None or context.model_version_id is None:
            raise CairnUserError(
                "log_metadata(infer_model=True) works only inside a step whose pipeline or "
                "step has a model."
            )
        version_id = context.model_version_id
    if version_id is None:
        name = targets.get("model_name")
        if name is None or targets.get("model_version") is None:
            raise CairnUserError(
                "log_metadata: a model version is named by model_name= and model_version= "
                "together, or by model_version_id=."
            )
        version_id = store.get_model_version(name, targets["model_version"]).id
    for key, value in metadata.items():
        store.log_entity_metadata("model_version", version_id, key, value)
