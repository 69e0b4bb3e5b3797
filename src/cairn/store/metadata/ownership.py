"""Which process owns a run, and whether that process is still alive.

A run records the pid, host name and a *token* of its owning process: the
process start time from ``/proc/<pid>/stat`` on Linux, so that a pid reused by
another process is not mistaken for the owner. Zombies count as dead.
"""

from __future__ import annotations

import os
import socket
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def this_host() -> str:
    """This machine's host name."""
    return socket.gethostname()


def _stat_fields(pid: int) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            text = f.read()
    except OSError:
        return None
    # The command name (field 2) may contain spaces: split after its closing paren.
    return text[text.rfind(")") + 2 :].split()


def process_token(pid: int) -> str:
    """The start time of a process (``""`` where /proc is not available)."""
    if pid == os.getpid():
        return _own_token(pid)  # read once per process (a forked child has another pid)
    fields = _stat_fields(pid)
    return fields[19] if fields and len(fields) > 19 else ""


@lru_cache(maxsize=4)
def _own_token(pid: int) -> str:
    fields = _stat_fields(pid)
    return fields[19] if fields and len(fields) > 19 else ""


def is_alive(pid: int, token: str | None = None) -> bool:
    """Whether process ``pid`` (with start token ``token``, if given) is running."""
    if pid == os.getpid():
        return not token or token == process_token(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    fields = _stat_fields(pid)
    if fields is None:
        return not os.path.isdir("/proc")
    if fields[0] in ("Z", "X"):
        return False
    return not token or len(fields) <= 19 or fields[19] == token


def is_dead_owner(row: dict[str, Any], stale_after: float | None, now: float) -> bool:
    """Whether the process owning a running run (a row of ``running_runs``) is gone.

    Runs owned on this host are checked by pid and start token; runs owned on
    another host by heartbeat, once it is older than ``stale_after`` seconds
    (never, if None). A detached run (no pid) is never dead.
    """
    pid = row["owner_pid"]
    if pid is None:
        return False
    if row["owner_host"] == this_host():
        return not is_alive(pid, row["owner_token"])
    beat = row["heartbeat"] or 0.0
    return stale_after is not None and now - beat > stale_after
