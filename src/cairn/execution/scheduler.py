"""The local scheduler: starts the runs of the schedules of one orchestrator, on time.

``python -m cairn.execution.scheduler serve --orchestrator UUID --port N`` is the
service ``cairn stack up`` starts for a ``local`` orchestrator
(:class:`cairn.services.scheduler.LocalSchedulerMixin`). Every ``--poll`` seconds,
and at each slot's time, it looks at the schedules of every stack that uses the
orchestrator (in each stack's metadata store). For each slot that is due it
first *claims* the slot in the store (:meth:`ScheduleStore.claim`: a slot is
claimed once, ever), then starts the run in a child process
(``python -m cairn.execution.scheduler run ...``) in the folder the schedule was
registered from. So a restarted scheduler never runs a slot twice; slots missed
while it was down are run once each with ``catchup=True``, else only the latest.

Its log (``cairn orchestrator logs NAME``) has a line per claimed slot and per
ended run; the runs' own output is appended to it. ``GET /health`` on
127.0.0.1:N answers 200 while the loop is alive. SIGTERM (``cairn stack down``)
stops the loop and cancels the runs it started (recorded as cancelled).
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cairn.models.names import MAX_RUN_NAME_LENGTH

if TYPE_CHECKING:
    from cairn.models.schedule import ScheduleRecord
    from cairn.stack.stack import Stack

logger = logging.getLogger("cairn.scheduler")

#: Seconds between two reads of the stack registry (stacks that use the orchestrator).
STACK_REFRESH_SECONDS = 30.0
#: Seconds the loop may be silent before ``/health`` answers 503.
HEALTH_SILENCE_SECONDS = 60.0


def slot_run_name(record: ScheduleRecord, slot: float) -> str:
    """The name of the run of ``slot``: ``<run name or schedule name>-<UTC slot time>``."""
    from cairn.execution.run_names import expand_run_name

    template = record.run_options.get("run_name")
    prefix = expand_run_name(str(template), record.pipeline_name) if template else record.name
    stamp = dt.datetime.fromtimestamp(slot, dt.timezone.utc).strftime("%Y%m%d-%H%M%S")
    return f"{prefix[: MAX_RUN_NAME_LENGTH - len(stamp) - 1]}-{stamp}"


@dataclass
class _Launched:
    process: subprocess.Popen[bytes]
    run_name: str
    slot: float


@dataclass
class Scheduler:
    """The loop of one orchestrator's scheduler."""

    orchestrator_uuid: str
    poll: float = 1.0
    stop: threading.Event = field(default_factory=threading.Event)
    beat: float = field(default_factory=time.monotonic)
    children: list[_Launched] = field(default_factory=list)
    _stacks: list[Stack] = field(default_factory=list)
    _stacks_read: float = -1e18

    def stacks(self) -> list[Stack]:
        """The stacks that use the orchestrator (re-read every ``STACK_REFRESH_SECONDS``)."""
        if time.monotonic() - self._stacks_read < STACK_REFRESH_SECONDS:
            return self._stacks
        from cairn.enums import StackComponentType
        from cairn.stack.registry import StackRegistry

        registry = StackRegistry()
        found = []
        for record in registry.store.list_stacks():
            name = record.components.get(StackComponentType.ORCHESTRATOR)
            if name is None:
                continue
            try:
                component = registry.get_component(StackComponentType.ORCHESTRATOR, name)
                if str(component.uuid) == self.orchestrator_uuid:
                    found.append(registry.get_stack(record.name))
            except Exception:
                logger.exception("cannot read stack '%s'", record.name)
        self._stacks, self._stacks_read = found, time.monotonic()
        return found

    def tick(self, now: float) -> float | None:
        """Start the due runs; return the earliest next slot (None without schedules)."""
        from cairn.execution.schedules import ScheduleStore

        self.reap()
        upcoming: list[float] = []
        for stack in self.stacks():
            try:
                records = ScheduleStore(stack.metadata_store).list_schedules(stack.name)
            except Exception:
                logger.exception("cannot read the schedules of stack '%s'", stack.name)
                continue
            for record in records:
                for slot in record.due(now):
                    self.start(stack, record, slot)
                nxt = None if record.paused else record.next_slot
                if nxt is not None:
                    upcoming.append(nxt)
        return min(upcoming) if upcoming else None

    def start(self, stack: Stack, record: ScheduleRecord, slot: float) -> None:
        """Claim ``slot`` and start its run in a child process (once per slot, ever)."""
        from cairn.execution.schedules import ScheduleStore

        run_name = slot_run_name(record, slot)
        if not ScheduleStore(stack.metadata_store).claim(record.id, slot, run_name):
            return
        late = time.time() - slot
        command = [sys.executable, "-m", "cairn.execution.scheduler", "run", "--stack",
                   stack.name, "--schedule", record.id, "--run-name", run_name]  # fmt: skip
        env = {**os.environ, "CAIRN_QUIET": "1"}
        try:
            process = subprocess.Popen(command, cwd=record.source_root or None, env=env,
                                       stdin=subprocess.DEVNULL)  # fmt: skip
        except OSError as exc:
            logger.error("schedule '%s': cannot start run %s: %s", record.name, run_name, exc)
            return
        logger.info("schedule '%s': slot %s (%.3f s late): started run %s (pid %d)",
                    record.name, _iso(slot), late, run_name, process.pid)  # fmt: skip
        self.children.append(_Launched(process, run_name, slot))

    def orphaned(self) -> bool:
        """Whether this process is no longer the service: its folder is gone, or another
        pid is recorded (then it must stop, so that two schedulers never run)."""
        from cairn.services import LocalService
        from cairn.services.scheduler import scheduler_service_id

        service = LocalService(scheduler_service_id(self.orchestrator_uuid))
        if not service.path.is_dir():
            return True
        pid = service.read_state().pid
        return pid is not None and pid != os.getpid()

    def reap(self) -> None:
        """Log the runs that ended."""
        for child in list(self.children):
            code = child.process.poll()
            if code is not None:
                self.children.remove(child)
                logger.info("run %s ended (exit code %d)", child.run_name, code)

    def serve(self) -> None:
        """Loop until ``stop`` is set, then cancel the runs still going."""
        logger.info("scheduler of orchestrator %s started (poll %g s)",
                    self.orchestrator_uuid, self.poll)  # fmt: skip
        while not self.stop.is_set():
            self.beat = time.monotonic()
            if self.orphaned():
                logger.warning("scheduler state is gone or owned by another process: stopping")
                break
            try:
                nxt = self.tick(time.time())
            except Exception:
                logger.exception("scheduler tick failed")
                nxt = None
            wait = self.poll if nxt is None else max(0.0, min(self.poll, nxt - time.time()))
            self.stop.wait(wait)
        self.cancel_children()
        logger.info("scheduler stopped")

    def cancel_children(self, grace: float = 10.0) -> None:
        """SIGTERM the runs still going (they record themselves cancelled), then SIGKILL."""
        for child in self.children:
            if child.process.poll() is None:
                child.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + grace
        for child in self.children:
            try:
                child.process.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.process.kill()
        self.reap()


def _iso(moment: float) -> str:
    return dt.datetime.fromtimestamp(moment, dt.timezone.utc).isoformat(timespec="seconds")


def _health_server(scheduler: Scheduler, host: str, port: int) -> Any:
    """``GET /health``: 200 while the loop beats, else 503 (a thread serves it)."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            alive = time.monotonic() - scheduler.beat < max(HEALTH_SILENCE_SECONDS,
                                                            10 * scheduler.poll)  # fmt: skip
            code = (200 if alive else 503) if self.path == "/health" else 404
            self.send_response(code)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:  # no access log
            return

    server = ThreadingHTTPServer((host, port), Handler)
    threading.Thread(target=server.serve_forever, name="cairn-scheduler-health",
                     daemon=True).start()  # fmt: skip
    return server


def serve(orchestrator_uuid: str, host: str, port: int, poll: float) -> None:
    """Run the scheduler service until SIGTERM or SIGINT."""
    scheduler = Scheduler(orchestrator_uuid, poll=poll)
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: scheduler.stop.set())
    server = _health_server(scheduler, host, port)
    try:
        scheduler.serve()
    finally:
        server.shutdown()


def run_slot(stack_name: str, schedule_id: str, run_name: str) -> int:
    """Run one slot of a schedule in this process; the exit code (0: completed)."""
    from cairn.exceptions import CairnError
    from cairn.execution.pipeline_runner import run_pipeline
    from cairn.execution.schedules import ScheduleStore
    from cairn.models.pipeline_spec import PipelineSpec
    from cairn.stack.registry import StackRegistry

    def cancel(*_: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, cancel)
    try:
        stack = StackRegistry().get_stack(stack_name)
        record = ScheduleStore(stack.metadata_store).get(schedule_id)
        options = record.run_options
        result = run_pipeline(
            PipelineSpec.model_validate(record.spec),
            run_name=run_name,
            enable_cache=options.get("enable_cache"),
            runtime_options=options.get("runtime_options") or {},
            stack=stack,
            quiet=True,
        )
    except KeyboardInterrupt:
        print(f"cairn: run {run_name} was cancelled", file=sys.stderr)
        return 130
    except CairnError as exc:
        print(f"cairn: run {run_name}: {exc}", file=sys.stderr)
        return 1
    return 0 if str(result.status) == "completed" else 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m cairn.execution.scheduler")
    commands = parser.add_subparsers(dest="command", required=True)
    serve_cmd = commands.add_parser("serve", help="run the scheduler service")
    serve_cmd.add_argument("--orchestrator", required=True, help="uuid of the orchestrator")
    serve_cmd.add_argument("--host", default="127.0.0.1")
    serve_cmd.add_argument("--port", type=int, required=True)
    serve_cmd.add_argument("--poll", type=float, default=1.0, help="seconds between looks")
    run_cmd = commands.add_parser("run", help="run one slot of a schedule")
    run_cmd.add_argument("--stack", required=True)
    run_cmd.add_argument("--schedule", required=True, help="id of the schedule")
    run_cmd.add_argument("--run-name", required=True)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit code."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stdout,
                        format="%(asctime)s %(levelname)s %(message)s")  # fmt: skip
    logger.setLevel(logging.INFO)
    if args.command == "serve":
        serve(args.orchestrator, args.host, args.port, max(0.05, args.poll))
        return 0
    return run_slot(args.stack, args.schedule, args.run_name)


if __name__ == "__main__":
    sys.exit(main())
