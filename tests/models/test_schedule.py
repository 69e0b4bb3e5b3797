"""Schedules: validation when created, slots, what is due with and without catchup."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from cairn import Schedule
from cairn.exceptions import ConfigurationError
from cairn.models.schedule import ScheduleRecord, slots

UTC = dt.timezone.utc


def _record(**kw: object) -> ScheduleRecord:
    values: dict[str, object] = dict(
        id="s", name="s", pipeline_name="p", stack_name="default", orchestrator="default",
        cron_expression=None, interval_seconds=10.0, start_time=1000.0, end_time=None,
        catchup=False, paused=False, created=0.0, updated=0.0,
    )  # fmt: skip
    values.update(kw)
    return ScheduleRecord(**values)  # type: ignore[arg-type]


def test_interval_from_a_timedelta_or_seconds() -> None:
    assert Schedule(interval=dt.timedelta(hours=1)).interval == dt.timedelta(seconds=3600)
    assert Schedule.parse({"interval": 3600}).interval == dt.timedelta(seconds=3600)
    assert Schedule.parse({"cron_expression": "0 * * * *"}).cron_expression == "0 * * * *"


@pytest.mark.parametrize(
    ("values", "words"),
    [
        ({"cron_expression": "61 * * * *"}, "Invalid cron expression '61 * * * *'"),
        ({"cron_expression": "every hour"}, "Invalid cron expression"),
        ({}, "exactly one of cron_expression"),
        ({"interval": 60, "cron_expression": "* * * * *"}, "exactly one of"),
        ({"interval": 0.5}, "too short"),
        ({"interval": 60, "colour": "red"}, "colour"),
        ({"interval": "soon"}, "interval"),
    ],
)
def test_bad_schedules_are_one_clear_error(values: dict[str, object], words: str) -> None:
    with pytest.raises(ConfigurationError, match=words.replace("*", r"\*")) as info:
        Schedule.parse(values)
    assert "\n" not in str(info.value)


def test_end_must_follow_start() -> None:
    start = dt.datetime(2026, 1, 1, tzinfo=UTC)
    with pytest.raises(ConfigurationError, match="not after its start_time"):
        Schedule(interval=60, start_time=start, end_time=start)  # type: ignore[arg-type]


def test_naive_times_are_local_times() -> None:
    naive = dt.datetime(2026, 1, 1, 12, 0)
    schedule = Schedule(interval=60, start_time=naive)  # type: ignore[arg-type]
    assert schedule.start_time is not None
    assert schedule.start_time.timestamp() == naive.timestamp()


def test_interval_slots_start_at_the_start_and_stop_at_the_end() -> None:
    assert list(slots(100.0, 10.0, None, 130.0, None)) == [100.0, 110.0, 120.0, 130.0]
    assert list(slots(100.0, 10.0, None, 130.0, 110.0)) == [120.0, 130.0]


def test_cron_slots_are_utc_times_matching_the_expression() -> None:
    start = dt.datetime(2026, 3, 1, 10, 0, tzinfo=UTC).timestamp()
    found = list(itertools.islice(slots(start, None, "30 * * * *", None, None), 3))
    hours = [dt.datetime.fromtimestamp(s, UTC).strftime("%H:%M") for s in found]
    assert hours == ["10:30", "11:30", "12:30"]
    on_the_hour = list(itertools.islice(slots(start, None, "0 * * * *", None, None), 1))
    assert on_the_hour == [start]  # the start itself matches


def test_without_catchup_only_the_latest_missed_slot_is_due() -> None:
    record = _record()
    assert record.due(995.0) == []
    assert record.due(1000.0) == [1000.0]  # start_time is the first slot
    assert record.due(1055.0) == [1050.0]
    assert _record(last_slot=1050.0).due(1055.0) == []
    assert _record(last_slot=1050.0).due(1060.0) == [1060.0]


def test_with_catchup_every_missed_slot_is_due_once() -> None:
    assert _record(catchup=True).due(1035.0) == [1000.0, 1010.0, 1020.0, 1030.0]
    assert _record(catchup=True, last_slot=1010.0).due(1035.0) == [1020.0, 1030.0]
    cron = _record(catchup=True, cron_expression="* * * * *", interval_seconds=None,
                   start_time=0.0)  # fmt: skip
    assert cron.due(150.0) == [0.0, 60.0, 120.0]
    assert _record(cron_expression="* * * * *", interval_seconds=None, start_time=0.0).due(
        150.0
    ) == [120.0]


def test_paused_schedules_run_nothing_and_skip_the_slots_of_the_pause() -> None:
    assert _record(paused=True).due(2000.0) == []
    resumed = _record(catchup=True, last_slot=1000.0, resumed=1042.0)
    assert resumed.due(1055.0) == [1050.0]


def test_end_time_ends_the_schedule() -> None:
    record = _record(end_time=1020.0, last_slot=1020.0)
    assert record.due(5000.0) == [] and record.next_slot is None
    assert _record(end_time=1025.0).due(5000.0) == [1020.0]


def test_next_run_as_seen_now() -> None:
    assert _record().next_run(995.0) == 1000.0
    assert _record(last_slot=1050.0).next_run(1051.0) == 1060.0
    assert _record(paused=True).next_run(1051.0) is None
