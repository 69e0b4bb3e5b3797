"""Warm step processes for the local orchestrator's ``processes`` mode.

A :class:`ProcessPool` keeps Python processes (``python -m
cairn.entrypoints.worker``) that have imported Cairn already and runs one step at a
time in each: a step still runs in a process of its own, apart from the
orchestrator and from the steps running beside it, but without paying for an
interpreter start and Cairn's imports every time. Workers are reused across the
steps of a run and across runs of this process (one pool per process); a worker
drops the previous run's user modules before serving another run, so edited code
is imported afresh. A worker that crashes (``os._exit``, a segfault, killed) or
outlives its step's timeout is discarded, and the next step gets a fresh one.
Workers end with the orchestrator's process.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import subprocess
import sys
import threading
from typing import Any

#: The module a worker runs.
WORKER_ENTRYPOINT = "cairn.entrypoints.worker"
#: Idle workers kept per process.
MAX_IDLE = 16


class WorkerDied(Exception):
    """The worker ended before answering (its exit code is in ``returncode``)."""

    def __init__(self, returncode: int | None) -> None:
        super().__init__(f"the worker process ended (exit code {returncode})")
        self.returncode = returncode


class Worker:
    """One warm worker process and its request and reply pipes."""

    def __init__(self) -> None:
        request_read, request_write = os.pipe()
        reply_read, reply_write = os.pipe()
        argv = [sys.executable, "-m", WORKER_ENTRYPOINT, "--in-fd", str(request_read),
                "--out-fd", str(reply_write), "--parent-pid", str(os.getpid())]  # fmt: skip
        try:
            self.process = subprocess.Popen(argv, pass_fds=(request_read, reply_write))
        finally:
            os.close(request_read)
            os.close(reply_write)
        self._requests = os.fdopen(request_write, "w", encoding="utf-8")
        self._replies = os.fdopen(reply_read, "r", encoding="utf-8")
        self.steps = 0

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def run(self, request: dict[str, Any], timeout: float | None) -> dict[str, Any]:
        """Send one request and wait for its reply.

        Raises:
            WorkerDied: the worker ended before answering.
            TimeoutError: no reply within ``timeout`` seconds.
        """
        try:
            self._requests.write(json.dumps(request) + "\n")
            self._requests.flush()
        except (BrokenPipeError, OSError) as exc:
            raise WorkerDied(self.process.poll()) from exc
        if not _readable(self._replies, timeout):
            raise TimeoutError
        line = self._replies.readline()
        if not line:
            raise WorkerDied(self.process.wait())
        self.steps += 1
        reply: dict[str, Any] = json.loads(line)
        return reply

    def stop(self, grace: float = 3.0) -> None:
        """End the worker (SIGTERM, then SIGKILL after ``grace`` seconds)."""
        for stream in (self._requests, self._replies):
            with contextlib.suppress(OSError):
                stream.close()
        if self.process.poll() is None:
            self.process.terminate()
        try:
            self.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class ProcessPool:
    """Idle warm workers of this process (thread-safe)."""

    def __init__(self) -> None:
        self._idle: list[Worker] = []
        self._lock = threading.Lock()
        self.started = 0  # workers started so far (tests count them)

    def acquire(self) -> Worker:
        """An idle live worker, or a new one."""
        with self._lock:
            while self._idle:
                worker = self._idle.pop()
                if worker.alive():
                    return worker
            self.started += 1
        return Worker()

    def release(self, worker: Worker) -> None:
        """Give a worker that answered back (kept idle, or stopped beyond ``MAX_IDLE``)."""
        with self._lock:
            if worker.alive() and len(self._idle) < MAX_IDLE:
                self._idle.append(worker)
                return
        worker.stop()

    def prestart(self, count: int) -> None:
        """Start workers until ``count`` are idle (they import Cairn meanwhile)."""
        with self._lock:
            missing = max(0, min(count, MAX_IDLE) - len(self._idle))
            self.started += missing
        new = [Worker() for _ in range(missing)]
        with self._lock:
            self._idle.extend(new)

    def close(self) -> None:
        """Stop every idle worker."""
        with self._lock:
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.stop()


_POOLS: dict[int, ProcessPool] = {}
_POOL_LOCK = threading.Lock()


def _environment_key() -> int:
    """Workers inherit the environment when they start: a changed environment (another
    ``CAIRN_CONFIG_DIR``, say) needs other workers."""
    return hash(tuple(sorted(os.environ.items())))


def shared_pool() -> ProcessPool:
    """This process's pool for its current environment (workers started under another
    environment are stopped); every worker is stopped when this process exits."""
    key = _environment_key()
    with _POOL_LOCK:
        pool = _POOLS.get(key)
        if pool is None:
            for old in _POOLS.values():
                old.close()
            _POOLS.clear()
            if not _ATEXIT:
                import atexit

                atexit.register(_close_all)
                _ATEXIT.append(True)
            pool = _POOLS[key] = ProcessPool()
        return pool


_ATEXIT: list[bool] = []


def _close_all() -> None:
    with _POOL_LOCK:
        pools = list(_POOLS.values())
        _POOLS.clear()
    for pool in pools:
        pool.close()


def _readable(stream: Any, timeout: float | None) -> bool:
    """Whether ``stream`` has something to read within ``timeout`` seconds (a selector,
    not ``select.select``, which fails once the process has a file descriptor >= 1024)."""
    with selectors.DefaultSelector() as selector:
        selector.register(stream, selectors.EVENT_READ)
        return bool(selector.select(timeout))
