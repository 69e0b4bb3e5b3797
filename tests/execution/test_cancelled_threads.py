"""A step still running in a thread when its run is cancelled writes nothing afterwards."""

from __future__ import annotations

import _thread
import threading
import time
from pathlib import Path

import pytest

from cairn import pipeline, step
from cairn.artifact_stores import LocalArtifactStore
from cairn.enums import ExecutionStatus
from cairn.exceptions import RunCancelledError
from cairn.metadata_stores import SQLiteMetadataStore
from cairn.orchestrators import LocalOrchestrator
from cairn.stack.stack import Stack

STARTED = threading.Event()


@step
def slow() -> int:
    STARTED.set()
    time.sleep(1.5)
    return 1


@pipeline(enable_cache=False)
def one_slow_step() -> None:
    slow()


@pytest.mark.slow
def test_a_thread_that_outlives_its_cancelled_run_saves_no_output(tmp_path: Path) -> None:
    artifacts = tmp_path / "artifacts"
    stack = Stack.from_components("cancel", [
        LocalOrchestrator(name="local"),
        LocalArtifactStore(name="a", path=str(artifacts)),
        SQLiteMetadataStore(name="m", uri=str(tmp_path / "meta.db")),
    ])  # fmt: skip
    STARTED.clear()

    def interrupt() -> None:
        STARTED.wait(30)
        time.sleep(0.2)
        _thread.interrupt_main()

    threading.Thread(target=interrupt, daemon=True).start()
    with pytest.raises(RunCancelledError):
        one_slow_step().run(stack=stack, run_name="cancelled")
    time.sleep(2.5)  # the step's thread has returned by now
    run = stack.metadata_store.get_run("cancelled")
    assert run.status == ExecutionStatus.CANCELLED
    written = [p for p in artifacts.rglob("*") if p.is_file() and p.name != "deployment.json"]
    assert written == [], f"the cancelled run's thread wrote {written}"
