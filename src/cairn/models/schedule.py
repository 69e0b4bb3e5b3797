"""Schedules: when a pipeline runs by itself (``pipeline.run(schedule=Schedule(...))``).

A :class:`Schedule` is what the user writes: a cron expression *or* an interval,
a start (default: now, so the first slot is due at once), an optional end and
``catchup``. It is validated when it is created, before anything is recorded.
A :class:`ScheduleRecord` is a schedule registered in the metadata store.

Slots: with an ``interval`` they are ``start_time + k * interval`` (k = 0, 1, ...);
with a ``cron_expression`` they are the times the expression matches from
``start_time`` on (included), evaluated in UTC. Naive datetimes are local times.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from cairn.exceptions import ConfigurationError

#: The shortest interval a schedule may have.
MIN_INTERVAL = dt.timedelta(seconds=1)


def _aware(value: dt.datetime) -> dt.datetime:
    """A timezone-aware datetime (a naive one is taken as local time)."""
    return value.astimezone() if value.tzinfo is None else value


def check_cron(expression: str) -> str:
    """``expression`` if it is a valid cron expression (5 fields, or 6 with seconds).

    Raises:
        ConfigurationError: naming the expression and what is wrong with it.
    """
    from croniter import croniter

    text = " ".join(expression.split())
    if not croniter.is_valid(text):
        raise ConfigurationError(
            f"Invalid cron expression {expression!r}: write 5 fields 'minute hour day month "
            "weekday' (e.g. '0 * * * *' for every hour), or 6 with seconds last."
        )
    return text


class Schedule(BaseModel):
    """When a pipeline runs: a cron expression or an interval.

        Attributes:
            name: the schedule's name (default: ``<pipeline>-<random>``).
            cron_expression: a cron expression, evaluated in UTC.
            interval: the time between two runs (a ``timedelta``; seconds in YAML).
            start_time: the first slot (default: when the schedule is registered).
            end_time: no slot after this time.
            catchup: run every slot missed while the scheduler was down (default: only
                the latest missed one).

        Example:
            >>> import datetime as dt
    import time
            >>> Schedule(interval=dt.timedelta(hours=1)).interval
            datetime.timedelta(seconds=3600)
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str | None = None
    cron_expression: str | None = None
    interval: dt.timedelta | None = None
    start_time: dt.datetime | None = None
    end_time: dt.datetime | None = None
    catchup: bool = False

    @field_validator("interval", mode="before")
    @classmethod
    def _seconds(cls, value: Any) -> Any:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return dt.timedelta(seconds=value)
        return value

    @field_validator("cron_expression")
    @classmethod
    def _cron(cls, value: str | None) -> str | None:
        return None if value is None else check_cron(value)

    @field_validator("start_time", "end_time")
    @classmethod
    def _tz(cls, value: dt.datetime | None) -> dt.datetime | None:
        return None if value is None else _aware(value)

    @model_validator(mode="after")
    def _one_kind(self) -> Schedule:
        if (self.cron_expression is None) == (self.interval is None):
            raise ConfigurationError(
                "A schedule needs exactly one of cron_expression (e.g. '0 * * * *') and "
                "interval (a timedelta, or seconds in YAML)."
            )
        if self.interval is not None and self.interval < MIN_INTERVAL:
            raise ConfigurationError(
                f"Schedule interval {self.interval} is too short: use at least 1 second."
            )
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            raise ConfigurationError(
                f"Schedule end_time {self.end_time.isoformat()} is not after its start_time "
                f"{self.start_time.isoformat()}."
            )
        return self

    @classmethod
    def parse(cls, value: Any) -> Schedule:
        """A schedule from a :class:`Schedule` or a mapping (the run YAML's ``schedule:``).

        Raises:
            ConfigurationError: anything invalid, in one line naming the field.
        """
        from pydantic import ValidationError

        if isinstance(value, Schedule):
            return value
        if not isinstance(value, Mapping):
            raise ConfigurationError(
                f"schedule must be a cairn.Schedule or a mapping such as {{interval: 3600}}, "
                f"not {type(value).__name__}."
            )
        try:
            return cls.model_validate(dict(value))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "schedule"
            message = str(first.get("ctx", {}).get("error", first["msg"]))
            raise ConfigurationError(f"Invalid schedule ({where}): {message}") from None


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


__all__ = ["MIN_INTERVAL", "Schedule", "ScheduleRecord", "check_cron", "slots"]
