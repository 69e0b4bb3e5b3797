"""The ``ray`` step operator: one step runs as a Ray task with its own resources.

The rest of the pipeline runs on any orchestrator; a step with
``@step(step_operator="NAME")`` is sent to the Ray cluster (``address``, or the
local head node of a ``ray`` orchestrator given by ``head``), with the
resources of its ``settings``. The task runs the step entrypoint's command
(``--deployment URI --step NAME``) in a Ray worker: the worker rebuilds the stack
from the deployment and, by default, unpacks the code shipped through the
artifact store.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import SecretStr

from cairn.exceptions import ConfigurationError, StepFailedError
from cairn.step_operators.base_step_operator import BaseStepOperator


class RayStepOperator(BaseStepOperator):
    """Runs single steps as Ray tasks.

    Attributes:
        address: ``host:port`` of the cluster's GCS.
        auth_token: the cluster's token when it uses token authentication (a secret).
        code: ``package`` ships the code through the artifact store; ``present``
            means it is importable on the workers already.
        num_cpus: CPUs of the task when the step's settings name none (default 1).
        namespace: the Ray namespace of the tasks.
    """

    FLAVOR: ClassVar[str] = "ray"

    address: str
    auth_token: SecretStr | None = None
    code: Literal["package", "present"] = "package"
    num_cpus: float = 1.0
    namespace: str = "cairn"

    @property
    def requirements(self) -> set[str]:
        """Ray is needed where the step runs."""
        return {"ray>=2.52"}

    @property
    def runs_remotely(self) -> bool:
        """The task may run on any node of the cluster."""
        return True

    @property
    def ships_code(self) -> bool:
        """The code travels through the artifact store unless it is ``present``."""
        return self.code == "package"

    def launch(self, step_name: str, command: list[str], environment: dict[str, str]) -> None:
        """Run the step's command as a Ray task and wait for it.

        Raises:
            StepFailedError: the task failed (the step's record holds the traceback).
        """
        import ray

        from cairn.integrations.ray._cluster import connect, run_command_task, task_options
        from cairn.integrations.ray.orchestrator import _token_file

        if "--step" not in command:
            raise ConfigurationError(f"Not a step command: {command!r}.")
        token = self.resolve_secret(self.auth_token)
        connect(self.address, _token_file(self.local_path, token) if token else None,
                self.namespace)  # fmt: skip
        options: dict[str, Any] = {"num_cpus": self.num_cpus}
        options.update(task_options(_resources_of(command)))
        options["name"] = f"cairn-step:{step_name}"
        task = ray.remote(max_retries=0)(run_command_task)
        argv = command[3:]  # after "python -m cairn.entrypoints.step"
        code = ray.get(task.options(**options).remote(argv))
        if code != 0:
            raise StepFailedError(
                step_name, f"Step '{step_name}' failed in its Ray task (exit code {code})."
            )


def _resources_of(command: list[str]) -> dict[str, float]:
    """The step's resources, read from its deployment (the command names it)."""
    from cairn.entrypoints.step import load_deployment_from

    uri = command[command.index("--deployment") + 1]
    bootstrap = command[command.index("--bootstrap") + 1] if "--bootstrap" in command else None
    step = command[command.index("--step") + 1]
    deployment = load_deployment_from(uri, bootstrap)
    return dict(deployment.step(step).resources)


__all__ = ["RayStepOperator"]
