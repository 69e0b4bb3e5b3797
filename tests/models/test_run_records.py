"""The plain records of the metadata store."""

from __future__ import annotations

import dataclasses

import pytest

from cairn.enums import ExecutionStatus
from cairn.models.run_records import (
    PICKLE_MATERIALIZER_SOURCE,
    ArtifactRecord,
    RunRecord,
    StepRunRecord,
)


def test_durations() -> None:
    run = RunRecord("r", "run", "p", "pipe", ExecutionStatus.RUNNING, started=10.0)
    assert run.duration is None
    assert dataclasses.replace(run, finished=12.5).duration == 2.5
    step = StepRunRecord("s", "r", "train", ExecutionStatus.FAILED, started=5.0, finished=4.0)
    assert step.duration == 0.0  # clocks of two machines never give a negative duration


def test_pickle_flag() -> None:
    art = ArtifactRecord("a", "s", "model", "/x", "m:T", PICKLE_MATERIALIZER_SOURCE)
    assert art.is_pickle
    other = ArtifactRecord("b", "s", "df", "/y", "m:T", "m:Parquet", properties={"pickle": True})
    assert other.is_pickle
    assert not ArtifactRecord("c", None, "n", "/z", "builtins:int", "m:Json").is_pickle


def test_records_are_frozen() -> None:
    run = RunRecord("r", "run", "p", "pipe", ExecutionStatus.COMPLETED)
    with pytest.raises(dataclasses.FrozenInstanceError):
        run.name = "other"  # type: ignore[misc]
