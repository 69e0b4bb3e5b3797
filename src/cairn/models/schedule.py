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
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from cairn.exceptions import ConfigurationError
from cairn.models.schedule_record import ScheduleRecord, slots

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


__all__ = ["MIN_INTERVAL", "Schedule", "ScheduleRecord", "check_cron", "slots"]
