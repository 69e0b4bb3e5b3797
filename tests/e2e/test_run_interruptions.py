"""A killed run stays failed, Ctrl-C cancels, a script without a main guard runs once.

Each test runs a real pipeline script in its own Python process, in both
orchestrator modes, and sends real signals to it.
"""

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
from cairn.enums import ExecutionStatus, StackComponentType
from cairn.stack import StackRegistry

SLOW_SCRIPT = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    from cairn import pipeline, step

    MARKS = Path(os.environ["TEST_MARKS_DIR"])

    @step
    def slow() -> int:
        (MARKS / f"pid-{os.getpid()}").write_text("started")
        time.sleep(8)
        (MARKS / "slow-finished").write_text("done")
        return 1

    @step
    def after(x: int) -> int:
        (MARKS / "after-started").write_text("yes")
        return x + 1

    @pipeline
    def interrupted() -> None:
        after(slow())

    if __name__ == "__main__":
        interrupted().run(run_name="interrupted")
    """
)


def _set_mode(mode: str) -> None:
    StackRegistry().update_component(StackComponentType.ORCHESTRATOR, "default", {"mode": mode})


def _start(tmp_path: Path) -> tuple[subprocess.Popen[str], Path]:
    marks = tmp_path / "marks"
    marks.mkdir()
    script = tmp_path / "interrupted_script.py"
    script.write_text(SLOW_SCRIPT)
    proc = subprocess.Popen(
        [sys.executable, str(script)],
        env={**os.environ, "TEST_MARKS_DIR": str(marks)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # our signals reach the pipeline process only
    )
    deadline = time.monotonic() + 60
    while not any(marks.glob("pid-*")):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the step never started"
        time.sleep(0.05)
    return proc, marks


def _step_pid(marks: Path) -> int:
    return int(next(marks.glob("pid-*")).name.split("-")[1])


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is not alive
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["threads", "processes"])
def test_sigkill_of_the_pipeline_process_leaves_the_run_failed(mode: str, tmp_path: Path) -> None:
    _set_mode(mode)
    proc, marks = _start(tmp_path)
    step_pid = _step_pid(marks)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    proc.communicate()
    deadline = time.monotonic() + 5
    while _alive(step_pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(step_pid), "the step process outlived its orchestrator"
    time.sleep(10)  # the step would have finished by now, had it survived
    assert not (marks / "slow-finished").exists()
    run = Client().get_run("interrupted")
    assert run.status == ExecutionStatus.FAILED
    steps = run.steps
    assert steps["slow"].status == ExecutionStatus.FAILED
    assert steps["slow"].outputs == {}
    assert not (marks / "after-started").exists()


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["threads", "processes"])
def test_ctrl_c_cancels_the_run_with_one_line(mode: str, tmp_path: Path) -> None:
    _set_mode(mode)
    proc, marks = _start(tmp_path)
    step_pid = _step_pid(marks)
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=30)
    took = time.monotonic() - sent
    assert proc.returncode != 0
    assert "Traceback" not in stderr, stderr
    assert "cairn: Run 'interrupted' was cancelled." in stderr
    assert took < 5, f"Ctrl-C took {took:.1f} s"  # a bound on hanging, not a benchmark
    if mode == "processes":
        deadline = time.monotonic() + 5
        while _alive(step_pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(step_pid)
    run = Client().get_run("interrupted")
    assert run.status == ExecutionStatus.CANCELLED
    assert run.steps["slow"].status == ExecutionStatus.CANCELLED
    assert "after" not in run.steps
    time.sleep(1)
    assert Client().get_run("interrupted").steps["slow"].status == ExecutionStatus.CANCELLED


BARE_SCRIPT = textwrap.dedent(
    """
    from cairn import pipeline, step

    @step
    def one() -> int:
        return 1

    @step
    def two(x: int) -> int:
        return x + 1

    @pipeline
    def bare() -> None:
        two(one())

    run = bare().run()
    print("RESULT", run.steps["two"].outputs["output"].load())
    """
)


@pytest.mark.slow
def test_script_without_main_guard_runs_once_in_processes_mode(tmp_path: Path) -> None:
    _set_mode("processes")
    script = tmp_path / "bare_script.py"
    script.write_text(BARE_SCRIPT)
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("RESULT 2") == 1
    runs = Client().list_runs()
    assert len(runs) == 1 and runs[0].status == ExecutionStatus.COMPLETED
    assert "skipped run() of pipeline 'bare'" in done.stderr


@pytest.mark.slow
def test_pipeline_run_file_without_main_guard_makes_one_run(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from cairn.cli.main import cli

    script = tmp_path / "bare_script.py"
    script.write_text(BARE_SCRIPT)
    result = CliRunner().invoke(cli, ["pipeline", "run", str(script)])
    assert result.exit_code == 0, result.output
    assert len(Client().list_runs()) == 1
