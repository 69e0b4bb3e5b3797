"""``cairn pipeline schedules``: list, describe, pause, resume and delete schedules.

Thin commands over :class:`cairn.execution.schedules.ScheduleStore` of the active
stack's metadata store (``--stack`` for another one).
"""

from __future__ import annotations

from typing import Any

import click

from cairn.cli.output import echo_json, echo_table, output_option, when

stack_option = click.option(
    "--stack", "stack_name", default=None, help="Stack holding the schedules (default: active)."
)


def _store(stack_name: str | None) -> Any:
    from cairn.cli.common import registry
    from cairn.execution.schedules import ScheduleStore

    return ScheduleStore(registry().get_stack(stack_name).metadata_store)


def _reader(stack_name: str | None) -> Any:
    """For the active stack on SQLite, the ``sqlite3``-only reader of its metadata store
    (no pydantic, no SQLAlchemy: see :mod:`cairn.client.read_client`); else None."""
    if stack_name is not None:
        return None
    from cairn.client.read_client import read_client
    from cairn.store.metadata.sqlite_reader import SQLiteRunReader

    store = read_client().metadata_store
    return store if isinstance(store, SQLiteRunReader) else None


def _list(stack_name: str | None) -> list[Any]:
    """The schedules of the stack's metadata store, by name."""
    reader = _reader(stack_name)
    if reader is not None:
        return list(reader.list_schedules())
    return list(_store(stack_name).list_schedules())


def _one(name: str, stack_name: str | None) -> tuple[Any, list[tuple[float, str]]]:
    """Schedule ``name`` and the newest slots its runs were started for."""
    reader = _reader(stack_name)
    if reader is not None:
        record = reader.get_schedule(name)
        return record, reader.schedule_slots(record.id)
    store = _store(stack_name)
    record = store.get(name)
    return record, store.slots(record.id)


def _state(record: Any) -> str:
    return "paused" if record.paused else ("ended" if record.next_slot is None else "active")


def _next(record: Any) -> str:
    import time

    return when(record.next_run(time.time()))


@click.group("schedules")
def schedules() -> None:
    """Schedules of pipelines (made by pipeline.run(schedule=...))."""


@schedules.command("list")
@stack_option
@output_option
def list_schedules(stack_name: str | None, output: str) -> None:
    """List the schedules, by name."""
    records = _list(stack_name)
    if output == "json":
        echo_json([r.to_dict() for r in records])
        return
    if not records:
        click.echo("No schedules: pipeline.run(schedule=cairn.Schedule(...)) makes one.")
        return
    rows = [(r.name, r.pipeline_name, r.stack_name, r.every, _state(r), when(r.last_slot),
             _next(r)) for r in records]  # fmt: skip
    echo_table(["schedule", "pipeline", "stack", "when", "state", "last run", "next run"], rows)


@schedules.command("describe")
@click.argument("name")
@stack_option
@output_option
def describe(name: str, stack_name: str | None, output: str) -> None:
    """Show schedule NAME and the runs it started (newest first)."""
    record, slots = _one(name, stack_name)
    if output == "json":
        echo_json({**record.to_dict(), "runs": [{"slot": s, "run": n} for s, n in slots]})
        return
    click.echo(f"Schedule {record.name} of pipeline {record.pipeline_name}: {_state(record)}")
    click.echo(f"  {record.every}, from {when(record.start_time)}"
               + (f" to {when(record.end_time)}" if record.end_time else "")
               + f", catchup {'on' if record.catchup else 'off'}")  # fmt: skip
    click.echo(f"  stack {record.stack_name}, orchestrator {record.orchestrator}")
    click.echo(f"  next run {_next(record)}")
    if slots:
        echo_table(["slot", "run"], [(when(s), n) for s, n in slots])
    else:
        click.echo("  no run started yet")


@schedules.command("pause")
@click.argument("name")
@stack_option
def pause(name: str, stack_name: str | None) -> None:
    """Pause schedule NAME (slots passed while paused are not run)."""
    record = _set_paused(name, stack_name, True)
    click.echo(f"Paused schedule '{record.name}'.")


@schedules.command("resume")
@click.argument("name")
@stack_option
def resume(name: str, stack_name: str | None) -> None:
    """Resume schedule NAME (its next slot from now on runs)."""
    record = _set_paused(name, stack_name, False)
    click.echo(f"Resumed schedule '{record.name}': next run {_next(record)}.")


def _set_paused(name: str, stack_name: str | None, paused: bool) -> Any:
    """Pause or resume in the metadata store, then tell the stack's orchestrator."""
    from cairn.cli.common import registry
    from cairn.execution.schedules import ScheduleStore, schedule_paused

    stack = registry().get_stack(stack_name)
    record = ScheduleStore(stack.metadata_store).set_paused(name, paused)
    schedule_paused(record, stack, paused)
    return record


@schedules.command("delete")
@click.argument("name")
@stack_option
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
def delete(name: str, stack_name: str | None, yes: bool) -> None:
    """Delete schedule NAME (the runs it started stay)."""
    from cairn.cli.common import registry
    from cairn.execution.schedules import ScheduleStore, schedule_deleted

    stack = registry().get_stack(stack_name)
    store = ScheduleStore(stack.metadata_store)
    record = store.get(name)
    if not yes:
        click.confirm(f"Delete schedule '{record.name}'?", abort=True)
    store.delete(record.id)
    schedule_deleted(record, stack)
    click.echo(f"Deleted schedule '{record.name}' (its runs stay).")
