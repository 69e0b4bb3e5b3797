"""A schedule as registered in the metadata store, and its slots (no pydantic: the read
commands list schedules without importing it; see :mod:`cairn.models.schedule`)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ScheduleRecord:
    """A schedule registered in the metadata store.

    Attributes:
        id: UUID of the schedule.
        name: its unique name.
        pipeline_name: the pipeline it runs.
        stack_name: the stack its runs use.
        orchestrator: name of the stack's orchestrator when it was registered.
        cron_expression: its cron expression, or None.
        interval_seconds: its interval in seconds, or None.
        start_time: the first slot (POSIX seconds).
        end_time: no slot after this (POSIX seconds), or None.
        catchup: whether missed slots are each run.
        paused: whether the scheduler skips it (slots passed while paused are not run).
        created: when it was registered.
        updated: when it was last changed (paused, resumed).
        source_root: the folder the pipeline's modules are imported from.
        run_options: run name, cache setting and runtime options of its runs.
        spec: the compiled pipeline (JSON data).
        last_slot: the latest slot a run was started for (POSIX seconds), or None.
        resumed: when it was last resumed after a pause (slots before are skipped).
    """

    id: str
    name: str
    pipeline_name: str
    stack_name: str
    orchestrator: str
    cron_expression: str | None
    interval_seconds: float | None
    start_time: float
    end_time: float | None
    catchup: bool
    paused: bool
    created: float
    updated: float
    source_root: str = field(default="", repr=False)
    run_options: dict[str, Any] = field(default_factory=dict, repr=False)
    spec: dict[str, Any] = field(default_factory=dict, repr=False)
    last_slot: float | None = None
    resumed: float | None = None

    @property
    def every(self) -> str:
        """``cron '0 * * * *'`` or ``every 3600s``."""
        if self.cron_expression is not None:
            return f"cron '{self.cron_expression}'"
        return f"every {self.interval_seconds:g}s"

    def slots(self, after: float | None) -> Iterator[float]:
        """The slots strictly after ``after`` (from ``start_time`` on when None), in order."""
        return slots(self.start_time, self.interval_seconds, self.cron_expression,
                     self.end_time, after)  # fmt: skip

    @property
    def floor(self) -> float | None:
        """Slots at or before this time are not run (the last one run, or the resume time)."""
        marks = [m for m in (self.last_slot, self.resumed) if m is not None]
        return max(marks) if marks else None

    def due(self, now: float) -> list[float]:
        """The slots to run at ``now``: every missed one with ``catchup``, else the latest."""
        if self.paused:
            return []
        if not self.catchup and self.interval_seconds is not None:  # no walk over the gap
            return self._latest_interval_slot(now)
        found = []
        for slot in self.slots(self.floor):
            if slot > now:
                break
            found.append(slot)
            if len(found) > 1 and not self.catchup:
                found.pop(0)
        return found

    def _latest_interval_slot(self, now: float) -> list[float]:
        assert self.interval_seconds is not None
        limit = now if self.end_time is None else min(now, self.end_time)
        if limit < self.start_time:
            return []
        k = int((limit - self.start_time) // self.interval_seconds)
        slot = self.start_time + k * self.interval_seconds
        floor = self.floor
        return [slot] if floor is None or slot > floor else []

    @property
    def next_slot(self) -> float | None:
        """The earliest slot not run yet (None when the schedule has ended)."""
        return next(self.slots(self.floor), None)

    def next_run(self, now: float) -> float | None:
        """The slot the next run is for, as seen at ``now`` (None: paused or ended)."""
        if self.paused:
            return None
        due = self.due(now)
        if due:
            return due[0]
        floor = self.floor
        return next(self.slots(now if floor is None else max(floor, now)), None)

    def to_dict(self) -> dict[str, Any]:
        """JSON data for ``--output json`` (without the spec)."""
        return {
            "id": self.id,
            "name": self.name,
            "pipeline": self.pipeline_name,
            "stack": self.stack_name,
            "orchestrator": self.orchestrator,
            "cron_expression": self.cron_expression,
            "interval_seconds": self.interval_seconds,
            "start_time": self.start_time,
            "end_time": self.end_time,
            "catchup": self.catchup,
            "paused": self.paused,
            "created": self.created,
            "last_slot": self.last_slot,
            "next_run": self.next_run(time.time()),
        }


def slots(
    start: float,
    interval: float | None,
    cron: str | None,
    end: float | None,
    after: float | None,
) -> Iterator[float]:
    """Slots of a schedule strictly after ``after`` (``start`` itself is a slot)."""
    if interval is not None:
        k = 0 if after is None or after < start else int((after - start) // interval) + 1
        while True:
            slot = start + k * interval
            if end is not None and slot > end:
                return
            if after is None or slot > after:
                yield slot
            k += 1
    from croniter import croniter

    base = start - 1e-6 if after is None or after < start else after
    it = croniter(cron or "", dt.datetime.fromtimestamp(base, dt.timezone.utc))
    while True:
        slot = float(it.get_next(float))
        if end is not None and slot > end:
            return
        yield slot


__all__ = ["ScheduleRecord", "slots"]
