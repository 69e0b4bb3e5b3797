"""The ``local`` orchestrator: runs steps on this machine, independent steps in parallel.

A thin flavor on the shared execution plan (:mod:`cairn.orchestrators.plan`): a
step starts as soon as all its upstream steps finished, at most
``max_parallelism`` at once. In ``threads`` mode a worker thread runs the step in
this process through the shared step runner (``launcher.run_step``); in
``processes`` mode it starts ``launcher.step_command(step)`` (``python -m
cairn.entrypoints.step``, which rebuilds the stack from the deployment) and waits
for it; the cache is then checked before a process is started. A step that names
a step operator is handed to ``stack.step_operator.launch`` by the plan.

On the first failure no new step is started (``failure_policy=continue`` runs
the independent branches too), running steps are waited for, and
:class:`~cairn.exceptions.PipelineRunFailedError` names the failing step(s) with
the user's traceback.

Timeouts and retries are honoured by the step runner (see
:mod:`cairn.execution.step_runner`); in ``processes`` mode the orchestrator also
kills a step's process that outlives ``timeout x (retries + 1)`` plus a grace period.
"""

from __future__ import annotations

import concurrent.futures as cf
import os
import sys
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import Field

from cairn.exceptions import StepFailedError, StepTimeoutError
from cairn.orchestrators.base_orchestrator import BaseOrchestrator, StepLauncher
from cairn.orchestrators.plan import StepExecutor, shared_thread_pool
from cairn.services.scheduler import LocalSchedulerMixin

if TYPE_CHECKING:
    import subprocess

    from cairn.models.pipeline_spec import PipelineDeployment, StepSpec
    from cairn.orchestrators.process_pool import ProcessPool, Worker
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
        reuse_processes: in ``processes`` mode, run steps in warm worker processes
            that already imported Cairn, reused across steps and runs (default);
            ``false`` starts a fresh interpreter for every step.
    """

    FLAVOR: ClassVar[str] = "local"
    supports_schedules: ClassVar[bool] = True  # cairn stack up starts its scheduler service

    max_parallelism: int = Field(default=8, ge=1, le=256)
    mode: Literal["threads", "processes"] = "threads"
    reuse_processes: bool = True

    def executor(
        self, deployment: PipelineDeployment, stack: Stack, launcher: StepLauncher
    ) -> StepExecutor:
        """Worker threads that run steps in this process or in child processes."""
        return _LocalExecutor(self, launcher)


class _LocalExecutor(StepExecutor):
    """Daemon worker threads (reused across the run's steps); in ``processes`` mode
    each runs and waits for one step process at a time."""

    def __init__(self, orchestrator: LocalOrchestrator, launcher: StepLauncher) -> None:
        self.launcher = launcher
        self.max_in_flight = orchestrator.max_parallelism
        self.starts_workers = orchestrator.mode == "processes"
        self.dispatch_on_completion = True  # its futures complete on its own threads
        self.processes: dict[str, subprocess.Popen[str]] = {}
        self.workers: dict[str, Worker] = {}
        self._pool = shared_thread_pool("cairn-step")
        self._warm: ProcessPool | None = None
        if self.starts_workers and orchestrator.reuse_processes:
            from cairn.orchestrators.process_pool import shared_pool  # processes mode only

            self._warm = shared_pool()
            steps = len(launcher.deployment.pipeline.steps)
            self._warm.prestart(min(self.max_in_flight, steps))

    def submit(self, step: StepSpec) -> cf.Future[Any]:
        if self._warm is not None:
            return self._pool.submit(lambda: self._run_in_worker(step))
        if self.starts_workers:
            return self._pool.submit(lambda: self._run_in_process(step))
        return self._pool.submit(lambda: self.launcher.run_step(step.name))

    def _run_in_worker(self, step: StepSpec) -> None:
        """Run the step in a warm worker process (see :mod:`.process_pool`)."""
        from cairn.orchestrators.process_pool import WorkerDied

        assert self._warm is not None
        command = self.launcher.step_command(step.name)  # stores the deployment
        request = {
            "deployment": command[command.index("--deployment") + 1],
            "bootstrap": command[command.index("--bootstrap") + 1]
            if "--bootstrap" in command
            else None,
            "step": step.name,
        }
        budget = None
        if step.timeout is not None:
            budget = step.timeout * (step.retries + 1) + KILL_GRACE_SECONDS
        worker = self._warm.acquire()
        self.workers[step.name] = worker
        try:
            reply = worker.run(request, budget)
        except TimeoutError as exc:
            worker.stop(grace=0)
            raise StepTimeoutError(
                step.name,
                f"Step '{step.name}' ran longer than its timeout of {step.timeout:g} s; "
                "its process was killed.",
            ) from exc
        except WorkerDied as exc:
            worker.stop(grace=0)
            raise StepFailedError(
                step.name, f"Step '{step.name}' failed in its process: {exc}."
            ) from exc
        except BaseException:  # a worker in an unknown state is never used again, nor left
            worker.stop(grace=0)
            raise
        finally:
            self.workers.pop(step.name, None)
        self._warm.release(worker)
        if not reply.get("ok"):
            raise StepFailedError(step.name, str(reply.get("error") or "the step failed"))

    def _run_in_process(self, step: StepSpec) -> None:
        budget = None
        if step.timeout is not None:
            budget = step.timeout * (step.retries + 1) + KILL_GRACE_SECONDS
        command = [*self.launcher.step_command(step.name), "--parent-pid", str(os.getpid())]
        import subprocess  # processes mode only

        with subprocess.Popen(command, stderr=subprocess.PIPE, text=True) as child:
            self.processes[step.name] = child
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
                self.processes.pop(step.name, None)
        if stderr:
            sys.stderr.write(stderr)
        if child.returncode != 0:
            tail = (stderr or "")[-_STDERR_TAIL:]
            raise StepFailedError(
                step.name,
                f"Step '{step.name}' failed in its process (exit code {child.returncode}):\n{tail}",
            )

    def cancel(self, step_name: str, future: cf.Future[Any]) -> None:
        """Stop a step process (SIGTERM, then SIGKILL after 3 s); a thread is left to
        the runner, which records its step as cancelled."""
        worker = self.workers.get(step_name)
        if worker is not None:
            worker.stop()
            return
        child = self.processes.get(step_name)
        if child is None:
            future.cancel()
            return
        import subprocess

        if child.poll() is None:
            child.terminate()
        try:
            child.wait(timeout=3.0)
        except subprocess.TimeoutExpired:
            child.kill()

    def close(self) -> None:
        """Nothing to free: the step threads are the process's, kept for the next run."""


__all__ = ["KILL_GRACE_SECONDS", "LocalOrchestrator"]
