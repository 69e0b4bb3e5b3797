"""Whole pipelines in separate processes: two at once on one SQLite store, and a SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from cairn.client import Client
from cairn.enums import ExecutionStatus

SCRIPT = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from cairn import pipeline, step

    @step
    def first(seed: int) -> int:
        return seed

    @step
    def add(x: int, i: int) -> int:
        return x + i

    @step
    def slow(x: int, marker: str) -> int:
        Path(marker).write_text("started")
        time.sleep(120)
        return x

    @pipeline(enable_cache=False)
    def chain(seed: int = 0, length: int = 20) -> None:
        value = first(seed)
        for i in range(length):
            value = add(value, i)

    @pipeline
    def killed(marker: str = "") -> None:
        slow(first(1), marker)

    if __name__ == "__main__":
        kind, run_name, arg = sys.argv[1], sys.argv[2], sys.argv[3]
        if kind == "chain":
            chain(seed=int(arg)).run(run_name=run_name)
        else:
            killed(marker=arg).run(run_name=run_name)
    """
)


def _script(tmp_path: Path) -> Path:
    path = tmp_path / "pipelines_script.py"
    path.write_text(SCRIPT)
    return path


@pytest.mark.slow
def test_two_pipelines_run_at_the_same_time_on_one_store(tmp_path: Path) -> None:
    script = _script(tmp_path)
    Client().list_pipelines()  # create the default stack and the store first
    procs = [
        subprocess.Popen(
            [sys.executable, str(script), "chain", f"concurrent-{i}", str(i * 100)],
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(2)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    client = Client()
    for i in range(2):
        run = client.get_run(f"concurrent-{i}")
        assert run.status == ExecutionStatus.COMPLETED
        assert len(run.steps) == 21
        assert all(s.status == ExecutionStatus.COMPLETED for s in run.steps.values())
        last = run.steps["add_20"] if "add_20" in run.steps else run.steps["add_19"]
        assert last.outputs["output"].load() == i * 100 + sum(range(20))


@pytest.mark.slow
def test_run_killed_mid_step_shows_failed_without_complete_artifacts(tmp_path: Path) -> None:
    script = _script(tmp_path)
    marker = tmp_path / "marker"
    proc = subprocess.Popen(
        [sys.executable, str(script), "killed", "killed-run", str(marker)],
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        assert time.monotonic() < deadline, "the step never started"
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    if proc.stderr:
        proc.stderr.close()
    run = Client().get_run("killed-run")
    assert run.status == ExecutionStatus.FAILED
    assert run.steps["first"].status == ExecutionStatus.COMPLETED
    killed_step = run.steps["slow"]
    assert killed_step.status == ExecutionStatus.FAILED
    assert killed_step.outputs == {}
