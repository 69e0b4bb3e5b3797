"""Base class of orchestrators: they decide *where and when* each step of a run executes.

An orchestrator never runs step code itself. :meth:`BaseOrchestrator.prepare_or_run_pipeline`
owns the run sequence (the shared execution plan of :mod:`cairn.orchestrators.plan`:
ready queue, failure policy, step-operator routing, cache checks before dispatch);
a flavor implements :meth:`~BaseOrchestrator.executor`, whose
:class:`~cairn.orchestrators.plan.StepExecutor` submits one step, waits for
handles and cancels. A flavor that hands the whole plan to another system (a
scheduler) overrides :meth:`~BaseOrchestrator.submit_pipeline` instead and returns
at once: the run then stays ``running`` until its last step is recorded.

Steps run through a :class:`StepLauncher` handed in by the execution layer:
``launcher.run_step(name)`` runs one step in this process through the shared step
runner; ``launcher.step_command(name)`` is the command line that runs the same
step in another process or on another machine (``python -m cairn.entrypoints.step
--deployment URI --step NAME``), and ``launcher.deployment`` is the deployment a
worker that is handed it directly needs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Literal, Protocol

from cairn.enums import StackComponentType
from cairn.exceptions import ConfigurationError
from cairn.stack.stack_component import StackComponent

if TYPE_CHECKING:
    from cairn.models.pipeline_spec import PipelineDeployment
    from cairn.orchestrators.plan import StepExecutor
    from cairn.stack.stack import Stack


class StepLauncher(Protocol):
    """How an orchestrator asks for one step of the current run to be executed."""

    @property
    def deployment(self) -> PipelineDeployment:
        """The run's deployment (what a worker needs to run any of its steps)."""

    def run_step(self, step_name: str) -> None:
        """Run one step in this process; raises ``StepFailedError`` if it failed."""

    def step_command(self, step_name: str) -> list[str]:
        """The argv that runs one step of this run in a fresh Python process."""

    def reuse_cached(self, step_name: str) -> bool:
        """Record the step as reused from the cache if it can be; ``False`` otherwise."""

    def step_failed(self, step_name: str, error: BaseException) -> None:
        """Record a step whose worker failed before recording its end as failed."""

    def step_starting(self, step_name: str) -> None:
        """Tell the run's progress display that a step is about to start (anywhere)."""

    def step_ended(self, step_name: str) -> None:
        """Tell the run's progress display that a step ended (read from its record)."""


class BaseOrchestrator(StackComponent):
    """Abstract class for all Cairn orchestrators.

    Attributes:
        failure_policy: ``stop`` (default) starts no new step after a step failed;
            ``continue`` still runs every step that does not depend on a failed one.
    """

    TYPE: ClassVar[StackComponentType] = StackComponentType.ORCHESTRATOR
    __abstract_component__: ClassVar[bool] = True  # flavors implement executor()
    #: Whether this flavor can run pipelines on a schedule (``run(schedule=...)``).
    supports_schedules: ClassVar[bool] = False

    failure_policy: Literal["stop", "continue"] = "stop"

    @property
    def runs_remotely(self) -> bool:
        """Whether steps may run on another machine (then they need portable secrets)."""
        return False

    @property
    def ships_code(self) -> bool:
        """Whether the pipeline's code is packed into the artifact store for the workers."""
        return False

    def prepare_or_run_pipeline(
        self,
        deployment: PipelineDeployment,
        stack: Stack,
        launcher: StepLauncher,
    ) -> Any:
        """Run every step of ``deployment`` respecting its dependencies (the template).

        Raises:
            PipelineRunFailedError: a step failed.
            RunCancelledError: Ctrl-C (steps in flight were cancelled).
        """
        from cairn.orchestrators.plan import run_plan

        if deployment.schedule is not None and not self.supports_schedules:
            raise ConfigurationError(
                f"The {self} runs pipelines immediately and cannot schedule them: drop "
                "schedule=..., or use an orchestrator flavor that supports schedules."
            )
        submitted = self.submit_pipeline(deployment, stack, launcher)
        if submitted is not NotImplemented:
            return submitted
        executor = self.executor(deployment, stack, launcher)
        run_plan(executor, deployment, stack, launcher, self.failure_policy)
        return None

    def submit_pipeline(
        self, deployment: PipelineDeployment, stack: Stack, launcher: StepLauncher
    ) -> Any:
        """Hand the whole run to another system and return (default: not supported).

        A flavor that overrides this returns anything but ``NotImplemented``; the
        run stays ``running`` and is finished by the process that records its last
        step.
        """
        return NotImplemented

    def executor(
        self, deployment: PipelineDeployment, stack: Stack, launcher: StepLauncher
    ) -> StepExecutor:
        """The primitives that run this run's steps (see :class:`StepExecutor`)."""
        raise NotImplementedError(
            f"The {self} implements neither executor() nor submit_pipeline()."
        )


__all__ = ["BaseOrchestrator", "StepLauncher"]
