"""The catalog's and the schedules' reads, written once over named statements.

Each function takes ``rows``: a callable running a named SELECT of
:mod:`cairn.store.metadata.statements` (``rows(name, params) -> list of dicts``).
The SQL metadata stores pass one over their connection (SQLite's generated text, or
SQLAlchemy on a server); the ``sqlite3``-only reader of the read commands
(:mod:`cairn.store.metadata.sqlite_reader`) passes its own. So ``cairn artifact
describe`` shows the same whether it went through pydantic and SQLAlchemy or not.
Nothing here imports either.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from cairn.exceptions import ConfigurationError, DoesNotExistError
from cairn.store.metadata import convert

if TYPE_CHECKING:
    from cairn.models.catalog_records import (
        ArtifactVersionRecord,
        ModelArtifactLink,
        ModelRecord,
        ModelVersionRecord,
    )
    from cairn.models.run_records import MetadataEntry, StepRunRecord
    from cairn.models.schedule_record import ScheduleRecord

Rows = Callable[[str, Mapping[str, Any]], list[dict[str, Any]]]

#: Who can own metadata (``log_metadata(kind=...)``).
METADATA_KINDS = ("run", "artifact", "model_version")
#: Version selectors that name a stage.
STAGE_SELECTORS = ("staging", "production", "archived")


# ---------------------------------------------------------------- artifacts
def artifact_version(rows: Rows, name: str, version: str | int | None) -> ArtifactVersionRecord:
    """Version ``version`` of artifact ``name`` (the newest when None)."""
    if version is None:
        found = rows("catalog:version_latest_of_name", {"name": name})
    else:
        found = rows("catalog:version_of_name", {"name": name, "version": str(version)})
    if not found:
        which = "no versions" if version is None else f"no version '{version}'"
        raise DoesNotExistError(
            f"Artifact '{name}' has {which}: list them with 'cairn artifact versions {name}'."
        )
    return convert.artifact_version_record(found[0])


def artifact_version_of(rows: Rows, artifact_id: str) -> ArtifactVersionRecord | None:
    """The name and version of the artifact ``artifact_id``, if it has them."""
    found = rows("catalog:version_by_artifact", {"aid": artifact_id})
    return convert.artifact_version_record(found[0]) if found else None


def _like_pattern(tag: str) -> str:
    """A LIKE pattern (``/`` escapes) matching ``tag`` as it is written in a stored JSON list."""
    text = convert.dumps(tag)  # as the tags were stored: quotes, escapes and all
    escaped = text.replace("/", "//").replace("%", "/%").replace("_", "/_")
    return f"%{escaped}%"


def artifact_versions(
    rows: Rows, name: str | None, tag: str | None, limit: int, offset: int
) -> list[ArtifactVersionRecord]:
    """Versions, newest first, of one name and with one tag (pre-filtered in SQL, then
    matched exactly: tags are a JSON list)."""
    params: dict[str, Any] = {} if name is None else {"name": name}
    statement = "catalog:versions" if name is None else "catalog:versions_of_name"
    if tag is not None:
        params["pattern"] = _like_pattern(tag)
        statement += "_tagged"
    records = [convert.artifact_version_record(r) for r in rows(statement, params)]
    if tag is not None:
        records = [r for r in records if tag in r.tags]
    return records[max(0, offset) : max(0, offset) + max(0, limit)]


def artifact_names(rows: Rows) -> list[tuple[str, int, ArtifactVersionRecord]]:
    """Every artifact name with its number of versions and its newest version, by name."""
    out: dict[str, tuple[str, int, ArtifactVersionRecord]] = {}
    for row in rows("catalog:artifact_names", {}):
        out.setdefault(
            row["name"], (row["name"], int(row["n"]), convert.artifact_version_record(row))
        )
    return list(out.values())


def artifact_consumers(rows: Rows, artifact_id: str) -> list[StepRunRecord]:
    """The step runs that took the artifact as an input, in the order they started."""
    return [
        convert.step_run_record(r) for r in rows("catalog:artifact_consumers", {"aid": artifact_id})
    ]


def check_metadata_kind(kind: str) -> None:
    """``kind`` must be one of :data:`METADATA_KINDS` (the error lists them)."""
    if kind not in METADATA_KINDS:
        raise ConfigurationError(f"Unknown metadata owner {kind!r}: {', '.join(METADATA_KINDS)}.")


def entity_metadata(rows: Rows, kind: str, entity_id: str) -> dict[str, MetadataEntry]:
    """The metadata of a run, an artifact or a model version, by key."""
    check_metadata_kind(kind)
    found = rows(f"catalog:metadata:{kind}", {"owner": entity_id})
    return {r["key"]: convert.metadata_entry(r) for r in found}


# ---------------------------------------------------------------- models
def model(rows: Rows, name_or_id: str) -> ModelRecord:
    """A model by name or id."""
    found = rows("catalog:model", {"value": name_or_id})
    if not found:
        raise DoesNotExistError(
            f"No model called '{name_or_id}': list them with 'cairn model list'."
        )
    return convert.model_record(found[0])


def models(rows: Rows) -> list[ModelRecord]:
    """All models, by name."""
    return [convert.model_record(r) for r in rows("catalog:models", {})]


def model_version(rows: Rows, name_or_id: str, version: str | int | None) -> ModelVersionRecord:
    """A version of a model by number, name, stage or ``latest`` (None: the newest)."""
    record = model(rows, name_or_id)
    selector = None if version is None else str(version)
    mid = {"mid": record.id}
    if selector is None or selector.lower() == "latest":
        found = rows("catalog:model_version_latest", mid)
    elif selector.lower() in STAGE_SELECTORS:
        found = rows("catalog:model_versions_of_stage", {**mid, "stage": selector.lower()})
    elif isinstance(version, int) or selector.isdigit():
        found = rows("catalog:model_version_number", {**mid, "number": int(selector)})
    else:
        found = rows("catalog:model_version_name", {**mid, "name": selector})
    if not found:
        which = "no versions" if selector is None else f"no version {selector!r}"
        raise DoesNotExistError(
            f"Model '{record.name}' has {which}: list them with "
            f"'cairn model versions {record.name}'."
        )
    return convert.model_version_record(found[0])


def model_version_by_id(rows: Rows, model_version_id: str) -> ModelVersionRecord:
    """A model version by its id."""
    found = rows("catalog:model_version_by_id", {"value": model_version_id})
    if not found:
        raise DoesNotExistError(f"No model version with id '{model_version_id}'.")
    return convert.model_version_record(found[0])


def model_versions(rows: Rows, name_or_id: str, stage: str | None) -> list[ModelVersionRecord]:
    """The versions of a model, newest first (optionally those in one stage)."""
    mid = {"mid": model(rows, name_or_id).id}
    if stage is None:
        found = rows("catalog:model_versions_of", mid)
    else:
        found = rows("catalog:model_versions_of_stage", {**mid, "stage": str(stage).lower()})
    return [convert.model_version_record(r) for r in found]


def model_version_artifacts(rows: Rows, model_version_id: str) -> list[ModelArtifactLink]:
    """The artifact versions linked to a model version, in the order they were linked."""
    from cairn.models.catalog_records import ModelArtifactLink

    found = rows("catalog:model_version_artifacts", {"mv": model_version_id})
    return [ModelArtifactLink(r["link_kind"], convert.artifact_version_record(r)) for r in found]


def model_version_runs(rows: Rows, model_version_id: str) -> list[str]:
    """The ids of the runs linked to a model version, oldest first."""
    return [str(r["run_id"]) for r in rows("catalog:model_version_runs", {"mv": model_version_id})]


# ---------------------------------------------------------------- schedules
def schedules(rows: Rows) -> list[ScheduleRecord]:
    """Every schedule, by name."""
    return [convert.schedule_record(r) for r in rows("catalog:schedules", {})]


def schedule(rows: Rows, name_or_id: str) -> ScheduleRecord:
    """A schedule by name or id; the error lists the schedules there are."""
    found = rows("catalog:schedule_by_name", {"value": name_or_id}) or rows(
        "catalog:schedule_by_id", {"value": name_or_id}
    )
    if not found:
        known = ", ".join(r.name for r in schedules(rows)) or "none"
        raise DoesNotExistError(
            f"No schedule named '{name_or_id}'. Schedules: {known} "
            "(see 'cairn pipeline schedules list')."
        )
    return convert.schedule_record(found[0])


def schedule_slots(rows: Rows, schedule_id: str, limit: int) -> list[tuple[float, str]]:
    """The newest claimed slots of a schedule and the names of their runs."""
    found = rows("catalog:schedule_slots", {"sid": schedule_id, "limit": limit})
    return [(float(r["slot"]), str(r["run_name"])) for r in found]
