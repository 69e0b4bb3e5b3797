"""The logic behind ``cairn artifact`` and ``cairn model`` (the commands only print).

``NAME:VERSION`` arguments: the whole argument is tried as a name first (names
may contain ``:``, e.g. ``training::load::output``), then split at its last ``:``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cairn.exceptions import DoesNotExistError

if TYPE_CHECKING:
    from cairn.client.client import Client
    from cairn.execution.artifact_versions import ArtifactVersion
    from cairn.execution.model import Model


def split_reference(client: Client, reference: str, kind: str) -> tuple[str, str | None]:
    """``NAME[:VERSION]`` as ``(name, version)``, preferring a name that exists as written."""
    store = client.metadata_store
    exists = (
        bool(store.list_artifact_versions(reference, limit=1))
        if kind == "artifact"
        else any(m.name == reference for m in store.list_models())
    )
    if exists or ":" not in reference:
        return reference, None
    name, version = reference.rsplit(":", 1)
    return name, version or None


def describe_artifact(client: Client, reference: str) -> dict[str, Any]:
    """JSON data of an artifact version, with the runs that produced and used it."""
    name, version = split_reference(client, reference, "artifact")
    artifact: ArtifactVersion = client.get_artifact_version(name, version)
    data = artifact.to_dict()
    store = client.metadata_store
    producer = artifact.producer_step_run_id
    if producer is not None:
        step = store.get_step_run(producer)
        data["produced_by"] = {"run": store.get_run(step.run_id).name, "step": step.name}
    data["used_by"] = [
        {"run": store.get_run(s.run_id).name, "step": s.name}
        for s in store.get_artifact_consumers(artifact.id)
    ]
    return data


def artifact_rows(versions: list[ArtifactVersion]) -> list[dict[str, Any]]:
    """JSON rows of ``cairn artifact versions``."""
    return [
        {
            "name": v.name,
            "version": v.version,
            "id": v.id,
            "tags": v.tags,
            "data_type": v.data_type,
            "is_model_artifact": v.is_model_artifact,
            "created": v.record.created,
        }
        for v in versions
    ]


def describe_model(client: Client, reference: str) -> dict[str, Any]:
    """JSON data of a model (with ``NAME``) or of one version (with ``NAME:VERSION``)."""
    name, version = split_reference(client, reference, "model")
    model = client.get_model(name)
    if version is None:
        versions = client.list_model_versions(name)
        return {
            "id": model.id,
            "name": model.name,
            "description": model.description,
            "tags": list(model.tags),
            "created": model.created,
            "versions": [version_row(v) for v in versions],
        }
    return client.get_model_version(name, version).to_dict()


def version_row(version: Model) -> dict[str, Any]:
    """One row of ``cairn model versions``."""
    data = version.to_dict()
    return {
        "version": data["version"],
        "number": data["number"],
        "stage": data["stage"],
        "id": data["id"],
        "artifacts": len(data["artifacts"]),
        "runs": len(data["runs"]),
        "created": data["created"],
    }


def set_stage(client: Client, name: str, version: str, stage: str, force: bool) -> dict[str, Any]:
    """Put a model version in a stage; returns its new row."""
    model = client.get_model_version(name, version)
    model.set_stage(stage, force=force)
    return version_row(model)


def model_rows(client: Client) -> list[dict[str, Any]]:
    """Rows of ``cairn model list``: each model with its newest version and stages."""
    rows = []
    for model in client.list_models():
        try:
            versions = client.metadata_store.list_model_versions(model.id)
        except DoesNotExistError:  # deleted meanwhile
            continue
        stages = {v.stage: v.name for v in versions if v.stage in ("staging", "production")}
        rows.append(
            {
                "name": model.name,
                "id": model.id,
                "versions": len(versions),
                "latest": versions[0].name if versions else None,
                "production": stages.get("production"),
                "staging": stages.get("staging"),
                "tags": list(model.tags),
            }
        )
    return rows
