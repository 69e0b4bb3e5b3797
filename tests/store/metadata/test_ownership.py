"""Detecting whether the process owning a run is alive."""

from __future__ import annotations

import os
import subprocess
import sys

from cairn.store.metadata.ownership import is_alive, process_token


def test_this_process_is_alive() -> None:
    assert is_alive(os.getpid(), process_token(os.getpid()))
    assert is_alive(os.getpid())


def test_finished_and_zombie_processes_are_dead() -> None:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    token = process_token(proc.pid)
    while proc.poll() is None:
        pass
    assert not is_alive(proc.pid, token)


def test_zombie_counts_as_dead() -> None:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOWAIT)  # exited, not reaped: a zombie
    try:
        assert not is_alive(proc.pid)
    finally:
        proc.wait()


def test_reused_pid_is_not_the_owner() -> None:
    assert not is_alive(os.getpid(), "not-my-start-time")
