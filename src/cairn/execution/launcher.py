"""The :class:`~cairn.orchestrators.base_orchestrator.StepLauncher` handed to orchestrators."""

from __future__ import annotations

import base64
import contextlib
import json
import sys
import threading
import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING

from cairn.enums import ExecutionStatus
from cairn.exceptions import ConfigurationError, RunNotRunningError, StepFailedError
from cairn.execution.progress import NullProgress

if TYPE_CHECKING:
    from cairn.execution.step_runner import StepRunner
    from cairn.models.pipeline_spec import PipelineDeployment, StackConfig
    from cairn.models.run_records import StepRunRecord

#: The module that runs one step of a recorded run (``python -m ...``).
STEP_ENTRYPOINT = "cairn.entrypoints.step"


def bootstrap_argument(stack: StackConfig) -> str:
    """``--bootstrap`` of the step entrypoint: the stack's artifact store and secrets
    manager (which can read the deployment), as base64 JSON; no secret value in it."""
    keep = {"artifact_store", "secrets_manager"}
    data = [c.model_dump(mode="json") for c in stack.components if c.type in keep]
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode()


class Launcher:
    """Runs steps of one run in this process, or tells how to run them in another.

    Args:
        runner: the run's step runner.
        deployment_uri: where the run's deployment is stored (read by step processes).
        save: stores the run's deployment; called once, before the first step command
            is handed out (runs whose steps all run in-process never need it).
        progress: the run's progress display (default: none).
    """

    def __init__(
        self,
        runner: StepRunner,
        deployment_uri: str,
        save: Callable[[], None] | None = None,
        progress: NullProgress | None = None,
    ) -> None:
        self.runner = runner
        self.deployment_uri = deployment_uri
        self.progress = progress or NullProgress()
        self._save = save
        self._saved = threading.Lock()
        self._finished: dict[str, StepRunRecord] = {}

    @property
    def run_id(self) -> str:
        return self.runner.deployment.run_id

    @property
    def deployment(self) -> PipelineDeployment:
        """The run's deployment (checked to be portable: no plain secret in it)."""
        self._check_portable()
        return self.runner.deployment

    def _check_portable(self) -> None:
        from cairn.stack.stack_config import masked_components

        config = self.runner.deployment.stack
        masked = masked_components(config) if config is not None else []
        if masked:
            raise ConfigurationError(
                f"Steps of run '{self.runner.deployment.run_name}' run in other processes, but "
                f"the {'; '.join(masked)} of the stack holds a plain secret, which never leaves "
                "this process: store it in a secrets manager and use a reference "
                "({{secret.key}}), or run the steps in threads."
            )

    def reuse_cached(self, step_name: str) -> bool:
        """Record the step as reused from the cache if it can be (see
        :meth:`StepRunner.reuse_cached`)."""
        record = self.runner.reuse_cached(step_name)
        if record is None:
            return False
        if self.progress.enabled:
            self._finished[step_name] = record
        return True

    def step_failed(self, step_name: str, error: BaseException) -> None:
        """Record a step as failed with ``error`` unless its worker recorded its end."""
        store = self.runner.store
        found = [r for r in store.get_step_runs(self.run_id) if r.name == step_name]
        if found and found[0].status.is_finished:
            return
        cause = error.__cause__ if isinstance(error, StepFailedError) and error.__cause__ else error
        text = "".join(traceback.format_exception(type(cause), cause, cause.__traceback__))
        with contextlib.suppress(RunNotRunningError):  # the run ended meanwhile
            record = found[0] if found else store.create_step_run(self.run_id, step_name)
            store.finish_step_run(record.id, ExecutionStatus.FAILED, error=f"{error}\n{text}")

    def run_step(self, step_name: str) -> None:
        """Run one step in this process through the shared step runner.

        Raises:
            StepFailedError: the step failed.
        """
        record = self.runner.run(step_name)
        if self.progress.enabled:
            self._finished[step_name] = record

    def step_starting(self, step_name: str) -> None:
        """Show that a step starts (wherever it runs)."""
        if self.progress.enabled:
            self.progress.step_started(step_name)

    def step_ended(self, step_name: str) -> None:
        """Show how a step ended, from its record (read from the store if it ran elsewhere)."""
        if not self.progress.enabled:
            return
        record = self._finished.pop(step_name, None)
        store = self.runner.store
        if record is None:
            found = [r for r in store.get_step_runs(self.run_id) if r.name == step_name]
            if not found:
                return
            record = found[0]
        saved = None
        if record.cached_from:
            try:
                origin = store.get_step_run(record.cached_from)
            except Exception:  # the origin may have been deleted meanwhile
                origin = None
            if origin is not None and origin.started and origin.finished:
                saved = origin.finished - origin.started
        self.progress.step_ended(record, saved)

    def step_command(self, step_name: str) -> list[str]:
        """``python -m cairn.entrypoints.step --deployment URI --step NAME --bootstrap B``.

        The first call stores the run's deployment (which the command reads).

        Raises:
            ConfigurationError: the stack holds a plain secret (it cannot travel).
        """
        deployment = self.deployment
        with self._saved:
            if self._save is not None:
                self._save()
                self._save = None
        command = [sys.executable, "-m", STEP_ENTRYPOINT, "--deployment", self.deployment_uri,
                   "--step", step_name]  # fmt: skip
        if deployment.stack is not None:
            command += ["--bootstrap", bootstrap_argument(deployment.stack)]
        return command
