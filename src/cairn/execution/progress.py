"""What the terminal shows while a pipeline runs.

Each step is shown as it starts, is reused from cache (with the time that saved),
completes (with its duration) or fails (one line of the cause); the summary at
the end names the run and the command that shows it. On a terminal the lines
are drawn by ``rich`` as a live view; otherwise (pipes, CI logs, tests) they are
plain lines on stderr. ``CAIRN_QUIET=1`` (or ``cairn pipeline run --quiet``)
turns the display off: :func:`make_progress` then returns a null object.

The display lives in the process that runs the pipeline: orchestrators call
``launcher.step_starting`` / ``launcher.step_ended`` wherever the step runs, and
the outcome is read from the step's record.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from typing import TYPE_CHECKING, Any, TextIO

from cairn.enums import ExecutionStatus

if TYPE_CHECKING:
    from cairn.models.run_records import RunRecord, StepRunRecord

ENV_QUIET = "CAIRN_QUIET"


def _seconds(value: float) -> str:
    if value < 1:
        return f"{value * 1000:.0f} ms"
    if value < 120:
        return f"{value:.1f} s"
    return f"{value / 60:.1f} min"


def _first_line(text: str | None) -> str:
    for line in (text or "").splitlines():
        if line.strip():
            return line.strip()[:200]
    return "no reason recorded"


class NullProgress:
    """Shows nothing (``CAIRN_QUIET=1``)."""

    enabled = False

    def run_started(self, run_name: str, pipeline: str, stack: str, steps: int) -> None:
        """A run starts."""

    def step_started(self, name: str) -> None:
        """A step starts."""

    def step_ended(self, record: StepRunRecord, saved: float | None = None) -> None:
        """A step ended; ``saved`` is the duration of the run it was reused from."""

    def run_ended(self, record: RunRecord) -> None:
        """The run ended."""


class PlainProgress(NullProgress):
    """One line per event on a text stream (stderr by default)."""

    enabled = True

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}
        self._started = time.time()

    def _line(self, text: str) -> None:
        stream = self._stream or sys.stderr
        with self._lock:
            stream.write(text + "\n")
            stream.flush()

    def run_started(self, run_name: str, pipeline: str, stack: str, steps: int) -> None:
        self._started = time.time()
        count = f"{steps} step{'s' if steps != 1 else ''}"
        self._line(
            f"Running pipeline '{pipeline}' as run '{run_name}' on stack '{stack}' ({count})"
        )

    def step_started(self, name: str) -> None:
        self._line(f"  > {name} started")

    def step_ended(self, record: StepRunRecord, saved: float | None = None) -> None:
        status = record.status
        self._counts[str(status)] = self._counts.get(str(status), 0) + 1
        if status == ExecutionStatus.CACHED:
            extra = f", saved {_seconds(saved)}" if saved else ""
            self._line(f"  = {record.name} reused from cache{extra}")
        elif status == ExecutionStatus.COMPLETED:
            self._line(f"  + {record.name} completed in {_seconds(_duration(record))}")
        elif status == ExecutionStatus.FAILED:
            self._line(f"  x {record.name} failed: {_first_line(record.error)}")
        elif status == ExecutionStatus.CANCELLED:
            self._line(f"  - {record.name} cancelled")

    def run_ended(self, record: RunRecord) -> None:
        parts = [f"{n} {s}" for s, n in sorted(self._counts.items())]
        took = _seconds(time.time() - self._started)
        self._line(
            f"Run '{record.name}' {record.status} in {took}"
            + (f" ({', '.join(parts)})" if parts else "")
            + f". See it with: cairn pipeline runs describe {record.name}"
        )


class RichProgress(PlainProgress):
    """A live view on a terminal: one row per step, redrawn as steps change."""

    def __init__(self) -> None:
        super().__init__()
        self._rows: dict[str, str] = {}
        self._live: Any = None
        self._title = ""

    def _render(self) -> Any:
        from rich.table import Table

        table = Table.grid(padding=(0, 1))
        table.add_row(self._title)
        for text in self._rows.values():
            table.add_row(text)
        return table

    def _refresh(self) -> None:
        if self._live is not None:
            with self._lock:
                self._live.update(self._render())

    def run_started(self, run_name: str, pipeline: str, stack: str, steps: int) -> None:
        from rich.console import Console
        from rich.live import Live

        self._started = time.time()
        self._title = f"[bold]{pipeline}[/] run [cyan]{run_name}[/] on stack '{stack}'"
        self._live = Live(
            self._render(), console=Console(stderr=True), refresh_per_second=8, transient=False
        )
        self._live.start()

    def step_started(self, name: str) -> None:
        self._rows[name] = f"  [yellow]running[/]   {name}"
        self._refresh()

    def step_ended(self, record: StepRunRecord, saved: float | None = None) -> None:
        from rich.markup import escape

        status = record.status
        self._counts[str(status)] = self._counts.get(str(status), 0) + 1
        name = escape(record.name)
        if status == ExecutionStatus.CACHED:
            extra = f" (saved {_seconds(saved)})" if saved else ""
            self._rows[record.name] = f"  [blue]cached[/]    {name}{extra}"
        elif status == ExecutionStatus.COMPLETED:
            took = _seconds(_duration(record))
            self._rows[record.name] = f"  [green]completed[/] {name} in {took}"
        elif status == ExecutionStatus.FAILED:
            cause = escape(_first_line(record.error))
            self._rows[record.name] = f"  [red]failed[/]    {name}: {cause}"
        else:
            self._rows[record.name] = f"  [dim]{status}[/] {name}"
        self._refresh()

    def run_ended(self, record: RunRecord) -> None:
        if self._live is not None:
            self._refresh()
            self._live.stop()
            self._live = None
        super().run_ended(record)


def _duration(record: StepRunRecord) -> float:
    if record.started is None or record.finished is None:
        return 0.0
    return max(0.0, record.finished - record.started)


def quiet_requested() -> bool:
    """Whether ``CAIRN_QUIET`` asks for no progress display."""
    return os.environ.get(ENV_QUIET, "").strip().lower() in ("1", "true", "yes", "on")


def make_progress(quiet: bool | None = None) -> NullProgress:
    """The display for a run: none when quiet, live on a terminal, plain lines otherwise."""
    if quiet if quiet is not None else quiet_requested():
        return NullProgress()
    stream = sys.stderr
    if stream is not None and stream.isatty() and os.environ.get("TERM") != "dumb":
        try:
            import rich  # noqa: F401
        except ImportError:
            return PlainProgress()
        return RichProgress()
    return PlainProgress()
