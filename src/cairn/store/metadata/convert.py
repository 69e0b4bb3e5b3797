"""Conversions between rows of the metadata tables and the records of ``cairn.models``."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Union, cast

from cairn.enums import ExecutionStatus

if TYPE_CHECKING:
    import sqlalchemy as sa

    from cairn.models.catalog_records import ArtifactVersionRecord, ModelRecord, ModelVersionRecord
    from cairn.models.schedule_record import ScheduleRecord

from cairn.models.run_records import (
    ArtifactRecord,
    MetadataEntry,
    PipelineRecord,
    RunRecord,
    StepRunRecord,
)

#: A result row: SQLAlchemy's ``Row`` or a plain mapping (driver fast path).
Row = Union["sa.Row[Any]", Mapping[str, Any]]


def _mapping(row: Row) -> Mapping[str, Any]:
    return row if isinstance(row, Mapping) else cast(Mapping[str, Any], row._mapping)


def _default(value: Any) -> Any:
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        return dump(mode="json")
    if isinstance(value, set | frozenset):
        return sorted(value, key=repr)
    return str(value)


def dumps(value: Any) -> str:
    """JSON text of ``value`` (pydantic models dumped; unknown objects as ``str``)."""
    if not value and type(value) in _EMPTY:  # most parameters, properties and tags
        return _EMPTY[type(value)]
    return json.dumps(value, default=_default, sort_keys=True)


_EMPTY: dict[type, str] = {dict: "{}", list: "[]", tuple: "[]"}


def loads(text: str | None) -> Any:
    """The JSON data of ``text`` (``{}`` for NULL or empty)."""
    return json.loads(text) if text else {}


def pipeline_record(row: Row) -> PipelineRecord:
    m = _mapping(row)
    return PipelineRecord(m["id"], m["name"], loads(m["spec"]), m["created"], m["updated"])


def run_record(row: Row) -> RunRecord:
    """A :class:`RunRecord` from a ``pipeline_runs`` row joined with ``pipeline_name``."""
    m = _mapping(row)
    return RunRecord(
        id=m["id"],
        name=m["name"],
        pipeline_id=m["pipeline_id"],
        pipeline_name=m["pipeline_name"],
        status=ExecutionStatus(m["status"]),
        parameters=loads(m["parameters"]),
        runtime_options=loads(m["runtime_options"]),
        stack_snapshot=loads(m["stack_snapshot"]),
        code_version=m["code_version"],
        enable_cache=None if m["enable_cache"] is None else bool(m["enable_cache"]),
        created=m["created"],
        started=m["started"],
        finished=m["finished"],
        error=m["error"],
        owner_pid=m["owner_pid"],
        owner_host=m["owner_host"],
        heartbeat=m["heartbeat"],
    )


def step_run_record(row: Row) -> StepRunRecord:
    m = _mapping(row)
    return StepRunRecord(
        id=m["id"],
        run_id=m["run_id"],
        name=m["name"],
        status=ExecutionStatus(m["status"]),
        cache_key=m["cache_key"],
        parameters=loads(m["parameters"]),
        code_hash=m["code_hash"],
        cached=bool(m["cached"]),
        cache_reason=m["cache_reason"],
        cached_from=m["cached_from"],
        started=m["started"],
        finished=m["finished"],
        error=m["error"],
        logs_uri=m["logs_uri"],
        attempts=int(m["attempts"]),
    )


def artifact_record(row: Row) -> ArtifactRecord:
    m = _mapping(row)
    return ArtifactRecord(
        id=m["id"],
        producer_step_run_id=m["producer_step_run_id"],
        output_name=m["output_name"],
        uri=m["uri"],
        data_type=m["data_type"],
        materializer=m["materializer"],
        size=int(m["size"]),
        content_hash=m["content_hash"],
        properties=loads(m["properties"]),
        created=m["created"],
    )


def metadata_columns(value: Any) -> dict[str, Any]:
    """``kind``, ``number_value`` and ``text_value`` for a logged metadata value."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
        if math.isfinite(number):
            return {"kind": "number", "number_value": number, "text_value": dumps(value)}
    if isinstance(value, str):
        return {"kind": "text", "number_value": None, "text_value": value}
    return {"kind": "json", "number_value": None, "text_value": dumps(value)}


def metadata_entry(row: Row) -> MetadataEntry:
    m = _mapping(row)
    kind = m["kind"]
    value: Any = m["text_value"] if kind == "text" else json.loads(m["text_value"])
    return MetadataEntry(m["step_run_id"], m["key"], value, kind, m["created"])


# ---------------------------------------------------------------- catalog
def artifact_version_record(row: Row) -> ArtifactVersionRecord:
    from cairn.models.catalog_records import ArtifactVersionRecord

    m = _mapping(row)
    artifact = artifact_record({k[2:]: val for k, val in m.items() if k.startswith("a_")})
    return ArtifactVersionRecord(
        artifact=artifact,
        name=m["name"],
        version=m["version"],
        number=m["number"],
        tags=tuple(loads(m["tags"]) or ()),
        is_model_artifact=bool(m["is_model_artifact"]),
        created=m["created"],
    )


def model_record(row: Row) -> ModelRecord:
    from cairn.models.catalog_records import ModelRecord

    m = _mapping(row)
    return ModelRecord(
        id=m["id"],
        name=m["name"],
        description=m["description"],
        tags=tuple(loads(m["tags"]) or ()),
        created=m["created"],
        updated=m["updated"],
    )


def model_version_record(row: Row) -> ModelVersionRecord:
    from cairn.models.catalog_records import ModelVersionRecord

    m = _mapping(row)
    return ModelVersionRecord(
        id=m["id"],
        model_id=m["model_id"],
        model_name=m["model_name"],
        name=m["name"],
        number=int(m["number"]),
        stage=m["stage"],
        description=m["description"],
        created=m["created"],
        updated=m["updated"],
    )


def schedule_record(row: Row) -> ScheduleRecord:
    """A row of :func:`cairn.store.metadata.statements.schedules_query`."""
    from cairn.models.schedule_record import ScheduleRecord

    m = _mapping(row)
    return ScheduleRecord(
        id=m["id"], name=m["name"], pipeline_name=m["pipeline_name"],
        stack_name=m["stack_name"], orchestrator=m["orchestrator"],
        cron_expression=m["cron_expression"], interval_seconds=m["interval_seconds"],
        start_time=m["start_time"], end_time=m["end_time"], catchup=bool(m["catchup"]),
        paused=bool(m["paused"]), created=m["created"], updated=m["updated"],
        source_root=m["source_root"], run_options=loads(m["run_options"]),
        spec=loads(m["spec"]), last_slot=m["last_slot"], resumed=m["resumed"],
    )  # fmt: skip
