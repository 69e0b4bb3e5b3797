"""The ``local`` orchestrator: runs steps on this machine, independent steps in parallel.

A step starts as soon as all its upstream steps finished, on a pool of at most
``max_parallelism`` workers. In ``threads`` mode a worker runs the step in this
process through the shared step runner (``launcher.run_step``); in ``processes``
mode it starts ``launcher.step_command(step)`` (``python -m
cairn.entrypoints.step``) and waits for it. A step that names a step operator is
handed to ``stack.step_operator.launch`` in both modes.

On the first failure no new step is started, running steps are waited for, and
:class:`~cairn.exceptions.PipelineRunFailedError` names the failing step(s) with
the user's traceback.

Timeouts and retries are honoured by the step runner (see
:mod:`cairn.execution.step_runner`); in ``processes`` mode the orchestrator also
kills a step's process that outlives ``timeout x (retries + 1)`` plus a grace period.
"""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time
import traceback
from collections import deque
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import Field

from cairn.exceptions import (
    ConfigurationError,
    PipelineRunFailedError,
    RunCancelledError,
    StepFailedError,
    StepTimeoutError,
)
from cairn.orchestrators.base_orchestrator import BaseOrchestrator, StepLauncher
from cairn.services.scheduler import LocalSchedulerMixin

if TYPE_CHECKING:
    from cairn.models.pipeline_spec import PipelineDeployment, StepSpec
    from cairn.stack.stack import Stack

#: Seconds a step process may outlive its timeout budget before it is killed (the child
#: enforces the timeout itself; this is a backstop that also covers a slow start-up).
KILL_GRACE_SECONDS = 30.0
_STDERR_TAIL = 4000


class LocalOrchestrator(LocalSchedulerMixin, BaseOrchestrator):
    """Runs the steps of a pipeline on this machine.

    Attributes:
        max_parallelism: how many steps may run at once (default: 8).
        mode: ``threads`` runs steps in threads of this process; ``processes`` runs
            each step in its own Python process (isolation, true CPU parallelism).
    """

    FLAVOR: ClassVar[str] = "local"
    supports_schedules: ClassVar[bool] = True  # cairn stack up starts its scheduler service

    max_parallelism: int = Field(default=8, ge=1, le=256)
    mode: Literal["threads", "processes"] = "threads"

    def prepare_or_run_pipeline(
        self,
        deployment: PipelineDeployment,
        stack: Stack,
        launcher: StepLauncher,
    ) -> Any:
        """Run every step of the deployment, in dependency order, in parallel where possible.

        Raises:
            PipelineRunFailedError: a step failed.
            RunCancelledError: Ctrl-C; no new step started, step processes were
                terminated, and steps running in threads were left to the runner,
                which records them as cancelled.
        """
        if deployment.schedule is not None:
            raise ConfigurationError(
                "The local orchestrator runs pipelines immediately and cannot schedule them: "
                "drop schedule=..., or use an orchestrator flavor that supports schedules."
            )
        run = _LocalRun(self, deployment, stack, launcher)
        try:
            run.run_all()
        except KeyboardInterrupt as exc:
            run.cancel()
            raise RunCancelledError(
                f"Run '{deployment.run_name}' was cancelled.", deployment.run_name
            ) from exc
        finally:
            run.stop_workers()
        if run.failures:
            raise _run_failed(deployment.run_name, run.failures)
        return None

    # ------------------------------------------------------------ one step
    def _run_step(
        self, step: StepSpec, stack: Stack, launcher: StepLauncher, run: _LocalRun
    ) -> None:
        if step.step_operator:
            operator = stack.step_operator
            if operator is None:
                raise StepFailedError(step.name, f"Stack has no step operator for '{step.name}'.")
            operator.launch(step.name, launcher.step_command(step.name), dict(os.environ))
        elif self.mode == "processes":
            self._run_in_process(step, launcher, run)
        else:
            launcher.run_step(step.name)

    @staticmethod
    def _run_in_process(step: StepSpec, launcher: StepLauncher, run: _LocalRun) -> None:
        budget = None
        if step.timeout is not None:
            budget = step.timeout * (step.retries + 1) + KILL_GRACE_SECONDS
        command = [*launcher.step_command(step.name), "--parent-pid", str(os.getpid())]
        with subprocess.Popen(command, stderr=subprocess.PIPE, text=True) as child:
            run.processes[step.name] = child
            try:
                _, stderr = child.communicate(timeout=budget)
            except subprocess.TimeoutExpired as exc:
                child.kill()
                child.communicate()
                raise StepTimeoutError(
                    step.name,
                    f"Step '{step.name}' ran longer than its timeout of {step.timeout:g} s; "
                    "its process was killed.",
                ) from exc
            finally:
                run.processes.pop(step.name, None)
        if stderr:
            sys.stderr.write(stderr)
        if child.returncode != 0:
            tail = (stderr or "")[-_STDERR_TAIL:]
            raise StepFailedError(
                step.name,
                f"Step '{step.name}' failed in its process (exit code {child.returncode}):\n{tail}",
            )


class _LocalRun:
    """The scheduling state of one run: ready queue, running steps, failures.

    Steps run on daemon worker threads (so a cancelled run never waits for them at
    exit), started as needed up to ``max_parallelism`` and reused for later steps
    of the run; a worker puts ``(name, error)`` on a queue when its step ends.
    """

    def __init__(
        self,
        orchestrator: LocalOrchestrator,
        deployment: PipelineDeployment,
        stack: Stack,
        launcher: StepLauncher,
    ) -> None:
        self.orchestrator = orchestrator
        self.deployment = deployment
        self.stack = stack
        self.launcher = launcher
        self.failures: list[tuple[str, BaseException]] = []
        self.processes: dict[str, subprocess.Popen[str]] = {}
        self._done: queue.SimpleQueue[tuple[str, BaseException | None]] = queue.SimpleQueue()
        self._tasks: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        self._running: set[str] = set()
        self._workers = 0

    def _work(self) -> None:
        """A worker thread: run the steps it is handed until it gets ``None``."""
        while True:
            name = self._tasks.get()
            if name is None:
                return
            error: BaseException | None = None
            try:
                self.orchestrator._run_step(
                    self.deployment.step(name), self.stack, self.launcher, self
                )
            except BaseException as exc:  # reported to the scheduling loop
                error = exc
            self._done.put((name, error))

    def _start(self, name: str) -> None:
        self._running.add(name)
        self.launcher.step_starting(name)
        if self._workers < len(self._running):  # every running step has a worker
            self._workers += 1
            threading.Thread(
                target=self._work, name=f"cairn-step-{self._workers}", daemon=True
            ).start()
        self._tasks.put(name)

    def stop_workers(self) -> None:
        """Let the idle workers end (busy ones end after their step)."""
        for _ in range(self._workers):
            self._tasks.put(None)
        self._workers = 0

    def run_all(self) -> None:
        spec = self.deployment.pipeline
        waiting = {name: set(step.upstream) for name, step in spec.steps.items()}
        downstream = spec.downstream()
        ready = deque(name for name in spec.topological_order() if not waiting[name])
        limit = self.orchestrator.max_parallelism
        while ready or self._running:
            while ready and not self.failures and len(self._running) < limit:
                self._start(ready.popleft())
            if not self._running:
                break
            name, error = self._next()
            self._running.discard(name)
            self.launcher.step_ended(name)
            if error is not None:
                self.failures.append((name, error))
                continue
            for child in downstream[name]:
                waiting[child].discard(name)
                if not waiting[child]:
                    ready.append(child)

    def _next(self) -> tuple[str, BaseException | None]:
        """The next step that ended (waits in short slices, so Ctrl-C is seen at once)."""
        while True:
            try:
                return self._done.get(timeout=0.25)
            except queue.Empty:
                continue

    def cancel(self) -> None:
        """Stop the step processes still running (SIGTERM, then SIGKILL after 3 s)."""
        children = list(self.processes.values())
        for child in children:
            if child.poll() is None:
                child.terminate()
        deadline = time.monotonic() + 3.0
        for child in children:
            try:
                child.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()


def _describe(error: BaseException) -> str:
    cause = error.__cause__ if isinstance(error, StepFailedError) else None
    if cause is None:
        return str(error)
    text = "".join(traceback.format_exception(type(cause), cause, cause.__traceback__))
    return f"{error}\n\n{text}"


def _run_failed(run_name: str, failures: list[tuple[str, BaseException]]) -> PipelineRunFailedError:
    names = [name for name, _ in failures]
    details = "\n".join(_describe(error) for _, error in failures)
    error = PipelineRunFailedError(
        f"Pipeline run '{run_name}' failed in step(s) {', '.join(names)}:\n{details}",
        run_name,
        names,
    )
    error.__cause__ = failures[0][1]
    return error
