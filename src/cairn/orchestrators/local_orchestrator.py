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
import subprocess
import sys
import traceback
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import Field

from cairn.exceptions import (
    ConfigurationError,
    PipelineRunFailedError,
    StepFailedError,
    StepTimeoutError,
)
from cairn.orchestrators.base_orchestrator import BaseOrchestrator, StepLauncher

if TYPE_CHECKING:
    from cairn.models.pipeline_spec import PipelineDeployment, StepSpec
    from cairn.stack.stack import Stack

#: Seconds a step process may outlive its timeout budget before it is killed (the child
#: enforces the timeout itself; this is a backstop that also covers a slow start-up).
KILL_GRACE_SECONDS = 30.0
_STDERR_TAIL = 4000


class LocalOrchestrator(BaseOrchestrator):
    """Runs the steps of a pipeline on this machine.

    Attributes:
        max_parallelism: how many steps may run at once (default: 8).
        mode: ``threads`` runs steps in threads of this process; ``processes`` runs
            each step in its own Python process (isolation, true CPU parallelism).
    """

    FLAVOR: ClassVar[str] = "local"

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
        """
        if deployment.schedule is not None:
            raise ConfigurationError(
                "The local orchestrator runs pipelines immediately and cannot schedule them: "
                "drop schedule=..., or use an orchestrator flavor that supports schedules."
            )
        spec = deployment.pipeline
        waiting = {name: set(step.upstream) for name, step in spec.steps.items()}
        downstream = spec.downstream()
        ready = deque(name for name in spec.topological_order() if not waiting[name])
        running: dict[Future[None], str] = {}
        failures: list[tuple[str, BaseException]] = []
        with ThreadPoolExecutor(self.max_parallelism, thread_name_prefix="cairn-step") as pool:
            while ready or running:
                while ready and not failures and len(running) < self.max_parallelism:
                    name = ready.popleft()
                    future = pool.submit(self._run_step, deployment.step(name), stack, launcher)
                    running[future] = name
                if not running:
                    break
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    name = running.pop(future)
                    error = future.exception()
                    if error is not None:
                        failures.append((name, error))
                        continue
                    for child in downstream[name]:
                        waiting[child].discard(name)
                        if not waiting[child]:
                            ready.append(child)
        if failures:
            raise _run_failed(deployment.run_name, failures)
        return None

    # ------------------------------------------------------------ one step
    def _run_step(self, step: StepSpec, stack: Stack, launcher: StepLauncher) -> None:
        if step.step_operator:
            operator = stack.step_operator
            if operator is None:
                raise StepFailedError(step.name, f"Stack has no step operator for '{step.name}'.")
            operator.launch(step.name, launcher.step_command(step.name), dict(os.environ))
        elif self.mode == "processes":
            self._run_in_process(step, launcher)
        else:
            launcher.run_step(step.name)

    @staticmethod
    def _run_in_process(step: StepSpec, launcher: StepLauncher) -> None:
        budget = None
        if step.timeout is not None:
            budget = step.timeout * (step.retries + 1) + KILL_GRACE_SECONDS
        command = launcher.step_command(step.name)
        try:
            done = subprocess.run(command, stderr=subprocess.PIPE, text=True, timeout=budget)
        except subprocess.TimeoutExpired as exc:  # the child was killed by subprocess.run
            raise StepTimeoutError(
                step.name,
                f"Step '{step.name}' ran longer than its timeout of {step.timeout:g} s; "
                "its process was killed.",
            ) from exc
        if done.stderr:
            sys.stderr.write(done.stderr)
        if done.returncode != 0:
            tail = (done.stderr or "")[-_STDERR_TAIL:]
            raise StepFailedError(
                step.name,
                f"Step '{step.name}' failed in its process (exit code {done.returncode}):\n{tail}",
            )


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
