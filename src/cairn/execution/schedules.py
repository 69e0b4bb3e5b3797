"""Registering schedules and keeping them in the metadata store.

``pipeline.run(schedule=...)`` calls :func:`schedule_pipeline`: the schedule is
validated, the stack's orchestrator must be able to schedule (else the error
names the flavors that can) and its scheduler must be running (else: run
``cairn stack up``), all before anything is recorded; then the pipeline and the
schedule are recorded and the schedule's record is returned at once. The runs
are started later by the orchestrator's scheduler (for the ``local``
orchestrator: :mod:`cairn.execution.scheduler`).

:class:`ScheduleStore` reads and writes the ``schedules`` and
``schedule_slots`` tables of a SQL metadata store. A scheduler *claims* a slot
(inserts its row) before it starts the slot's run; the primary key makes a
second claim of the same slot fail, so no slot runs twice.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from cairn.enums import StackComponentType
from cairn.exceptions import (
    ComponentNotRunningError,
    ConfigurationError,
    EntityExistsError,
    StoreError,
)
from cairn.models.names import MAX_NAME_LENGTH, check_name
from cairn.models.schedule import Schedule, ScheduleRecord

if TYPE_CHECKING:
    from cairn.metadata_stores.base_metadata_store import BaseMetadataStore
    from cairn.models.pipeline_spec import PipelineSpec
    from cairn.stack.stack import Stack


def scheduling_flavors() -> list[str]:
    """The orchestrator flavors whose class says ``supports_schedules`` (imports them)."""
    from cairn.stack.flavor_catalog import BUILTIN_FLAVORS, INTEGRATION_FLAVORS
    from cairn.stack.source_utils import load_source

    names = []
    for entry in (*BUILTIN_FLAVORS, *INTEGRATION_FLAVORS):
        if entry.type != StackComponentType.ORCHESTRATOR:
            continue
        try:
            cls = load_source(entry.source)
        except Exception:  # an integration that is not installed
            continue
        if getattr(cls, "supports_schedules", False):
            names.append(entry.name)
    return sorted(names)


def check_can_schedule(stack: Stack) -> None:
    """The stack's orchestrator can schedule and its scheduler is running.

    Raises:
        ConfigurationError: the orchestrator's flavor cannot schedule.
        ComponentNotRunningError: its scheduler is not running.
    """
    orchestrator = stack.orchestrator
    if not getattr(orchestrator, "supports_schedules", False):
        can = ", ".join(scheduling_flavors()) or "none installed"
        raise ConfigurationError(
            f"The orchestrator '{orchestrator.name}' (flavor {orchestrator.FLAVOR}) of stack "
            f"'{stack.name}' cannot schedule runs: use an orchestrator of a flavor that can "
            f"({can}), or drop schedule=..."
        )
    if not getattr(orchestrator, "scheduler_running", True):
        raise ComponentNotRunningError(
            f"The scheduler of orchestrator '{orchestrator.name}' (stack '{stack.name}') is not "
            "running: run 'cairn stack up' first."
        )


def schedule_pipeline(
    spec: PipelineSpec,
    stack: Stack,
    schedule: Any,
    *,
    run_name: str | None = None,
    enable_cache: bool | None = None,
    runtime_options: Mapping[str, Any] | None = None,
    has_external_values: bool = False,
) -> ScheduleRecord:
    """Register ``schedule`` for ``spec`` on ``stack``; nothing runs now.

    Raises:
        ConfigurationError: an invalid schedule, an orchestrator that cannot schedule,
            or in-memory ``ExternalArtifact`` values (they cannot outlive this process).
        ComponentNotRunningError: the scheduler is not running (run ``cairn stack up``).
        EntityExistsError: a schedule with this name exists.
    """
    from cairn.execution.pipeline_runner import (
        check_runtime_options,
        check_step_components,
        stack_snapshot,
    )

    parsed = Schedule.parse(schedule)
    name = check_name("schedule", parsed.name or f"{spec.name}-{secrets.token_hex(3)}",
                      max_length=MAX_NAME_LENGTH)  # fmt: skip
    if has_external_values:
        raise ConfigurationError(
            f"Pipeline '{spec.name}' passes ExternalArtifact(value=...) inputs, which cannot be "
            "scheduled: save them with save_artifact(...) and pass ExternalArtifact(name=...)."
        )
    check_can_schedule(stack)
    stack.validate()
    stack.validate_secrets()
    options = dict(runtime_options or {})
    check_runtime_options(stack, options)
    check_step_components(spec, stack)
    store = ScheduleStore(stack.metadata_store)
    pipeline = stack.metadata_store.get_or_create_pipeline(spec.name, spec.model_dump(mode="json"))
    now = time.time()
    record = store.create(
        name=name,
        pipeline_id=pipeline.id,
        stack_name=stack.name,
        orchestrator=stack.orchestrator.name,
        schedule=parsed,
        start_time=parsed.start_time.timestamp() if parsed.start_time else now,
        source_root=os.getcwd(),
        run_options={
            "run_name": run_name,
            "enable_cache": enable_cache,
            "runtime_options": options,
            "stack_snapshot": stack_snapshot(stack),
        },
        spec=spec.model_dump(mode="json"),
    )
    registered = getattr(stack.orchestrator, "schedule_registered", None)
    if registered is not None:  # e.g. the airflow orchestrator writes the schedule's DAG
        try:
            registered(record, stack)
        except BaseException:
            store.delete(record.id)
            raise
    return record


def schedule_paused(record: ScheduleRecord, stack: Stack, paused: bool) -> None:
    """Tell the stack's orchestrator that a schedule was paused or resumed (the airflow
    orchestrator pauses its DAG too)."""
    hook = getattr(stack.orchestrator, "schedule_paused", None)
    if hook is not None:
        hook(record, paused)


def schedule_deleted(record: ScheduleRecord, stack: Stack) -> None:
    """Tell the stack's orchestrator that a schedule was deleted (it may remove a DAG)."""
    deleted = getattr(stack.orchestrator, "schedule_deleted", None)
    if deleted is not None:
        deleted(record)


class ScheduleStore:
    """Schedules of one SQL metadata store."""

    def __init__(self, store: BaseMetadataStore) -> None:
        engine = getattr(store, "engine", None)
        if engine is None:
            raise ConfigurationError(
                f"The metadata store {store} cannot keep schedules: use a SQL metadata store "
                "(sqlite, postgresql, mysql)."
            )
        self.engine = engine
        self.where = str(store)

    @contextmanager
    def _connect(self, write: bool = False) -> Iterator[Any]:
        from sqlalchemy.exc import IntegrityError, SQLAlchemyError

        from cairn.store.metadata.engine import WRITE_OPTION

        try:
            connection = self.engine.connect().execution_options(**{WRITE_OPTION: write})
            with connection as conn, conn.begin():
                yield conn
        except IntegrityError:
            raise
        except SQLAlchemyError as exc:
            raise StoreError(f"Cannot use the schedules of {self.where}: {exc}") from exc

    # ------------------------------------------------------------ writes
    def create(
        self,
        *,
        name: str,
        pipeline_id: str,
        stack_name: str,
        orchestrator: str,
        schedule: Schedule,
        start_time: float,
        source_root: str,
        run_options: dict[str, Any],
        spec: dict[str, Any],
    ) -> ScheduleRecord:
        """Record a new schedule (``EntityExistsError`` if the name is taken)."""
        import uuid

        from sqlalchemy.exc import IntegrityError

        from cairn.store.metadata.convert import dumps
        from cairn.store.metadata.schedule_schema import schedules as t

        now = time.time()
        interval = schedule.interval.total_seconds() if schedule.interval else None
        values = {
            "id": str(uuid.uuid4()), "name": name, "pipeline_id": pipeline_id,
            "stack_name": stack_name, "orchestrator": orchestrator,
            "cron_expression": schedule.cron_expression, "interval_seconds": interval,
            "start_time": start_time,
            "end_time": schedule.end_time.timestamp() if schedule.end_time else None,
            "catchup": schedule.catchup, "paused": False, "resumed": None,
            "source_root": source_root, "run_options": dumps(run_options),
            "spec": dumps(spec), "created": now, "updated": now,
        }  # fmt: skip
        try:
            with self._connect(write=True) as conn:
                conn.execute(t.insert().values(**values))
        except IntegrityError as exc:
            raise EntityExistsError(
                f"A schedule named '{name}' exists: choose another Schedule(name=...), or delete "
                f"it with 'cairn pipeline schedules delete {name}'."
            ) from exc
        return self.get(name)

    def set_paused(self, name_or_id: str, paused: bool) -> ScheduleRecord:
        """Pause or resume a schedule (slots passed while paused are skipped)."""
        from cairn.store.metadata.schedule_schema import schedules as t

        record = self.get(name_or_id)
        now = time.time()
        values: dict[str, Any] = {"paused": paused, "updated": now}
        if not paused and record.paused:
            values["resumed"] = now
        with self._connect(write=True) as conn:
            conn.execute(t.update().where(t.c.id == record.id).values(**values))
        return self.get(record.id)

    def delete(self, name_or_id: str) -> ScheduleRecord:
        """Delete a schedule and its slot claims (its runs stay)."""
        from cairn.store.metadata.schedule_schema import schedule_slots as s
        from cairn.store.metadata.schedule_schema import schedules as t

        record = self.get(name_or_id)
        with self._connect(write=True) as conn:
            conn.execute(s.delete().where(s.c.schedule_id == record.id))
            conn.execute(t.delete().where(t.c.id == record.id))
        return record

    def claim(self, schedule_id: str, slot: float, run_name: str) -> bool:
        """Claim ``slot`` for a run named ``run_name``; False if it was claimed before."""
        from sqlalchemy.exc import IntegrityError

        from cairn.store.metadata.schedule_schema import schedule_slots as s

        row = {"schedule_id": schedule_id, "slot": slot, "run_name": run_name,
               "claimed": time.time()}  # fmt: skip
        try:
            with self._connect(write=True) as conn:
                conn.execute(s.insert().values(**row))
        except IntegrityError:
            return False
        return True

    # ------------------------------------------------------------ reads
    def list_schedules(self, stack_name: str | None = None) -> list[ScheduleRecord]:
        """Every schedule (of one stack), by name."""
        from cairn.store.metadata import catalog_reads, named

        with self._connect() as conn:
            found = catalog_reads.schedules(named.rows_of(conn))
        return [r for r in found if stack_name is None or r.stack_name == stack_name]

    def get(self, name_or_id: str) -> ScheduleRecord:
        """The schedule with this name or id (``DoesNotExistError`` otherwise)."""
        from cairn.store.metadata import catalog_reads, named

        with self._connect() as conn:
            return catalog_reads.schedule(named.rows_of(conn), name_or_id)

    def slots(self, schedule_id: str, limit: int = 20) -> list[tuple[float, str]]:
        """The newest claimed slots of a schedule and the names of their runs."""
        from cairn.store.metadata import catalog_reads, named

        with self._connect() as conn:
            return catalog_reads.schedule_slots(named.rows_of(conn), schedule_id, limit)

    def schedule_of_run(self, run_name: str) -> str | None:
        """The name of the schedule that started the run ``run_name``, if any."""
        import sqlalchemy as sa

        from cairn.store.metadata.schedule_schema import schedule_slots as s
        from cairn.store.metadata.schedule_schema import schedules as t

        query = (sa.select(t.c.name).select_from(s.join(t, s.c.schedule_id == t.c.id))
                 .where(s.c.run_name == run_name))  # fmt: skip
        with self._connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else str(row.name)


__all__ = [
    "ScheduleStore",
    "check_can_schedule",
    "schedule_deleted",
    "schedule_paused",
    "schedule_pipeline",
    "scheduling_flavors",
]
