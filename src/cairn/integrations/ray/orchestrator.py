"""The ``ray`` orchestrator: every step of a run is a Ray task.

With ``address`` set, steps go to that cluster; without it, ``cairn stack up``
starts a local head node as a Cairn service (see :mod:`._head`) and
``stack down`` stops it. The shared execution plan dispatches each ready step
as a task running the shared step runner from the run's deployment (passed to
the task; the worker rebuilds the stack from it); independent steps run in
parallel across the cluster's nodes, each with the resources of its
``@step(settings={"resources": {...}})`` (``num_cpus``, ``num_gpus``, ``memory``,
custom resources). Cached steps are recorded here and never become a task.
Ctrl-C cancels the tasks in flight. The code is packed into the artifact store
and unpacked on the workers unless ``code`` is ``present``.
"""

from __future__ import annotations

import concurrent.futures as cf
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import Field, SecretStr

from cairn.exceptions import ComponentNotRunningError
from cairn.integrations.ray._service_log import head_service_id
from cairn.orchestrators.base_orchestrator import BaseOrchestrator, StepLauncher
from cairn.orchestrators.plan import StepExecutor
from cairn.services import DaemonSpec, LocalDaemonMixin

if TYPE_CHECKING:
    from cairn.models.pipeline_spec import PipelineDeployment, StepSpec
    from cairn.models.run_info import StepRunInfo
    from cairn.stack.stack import Stack


class RayOrchestrator(LocalDaemonMixin, BaseOrchestrator):
    """Runs each step as a Ray task, on a local head node or an existing cluster.

    Attributes:
        address: ``host:port`` of an existing cluster's GCS; empty = a local head
            node run by ``cairn stack up``.
        auth_token: the cluster's token when it uses token authentication (a secret).
        code: ``package`` packs the pipeline's code into the artifact store for the
            workers; ``present`` means it is importable there already.
        max_parallelism: how many steps may be in flight at once.
        num_cpus: CPUs the local head node offers (default: the machine's).
        port: GCS port of the local head node (default: a free port).
        warm_workers: idle Python workers the local head node keeps between runs
            (default 8, so an 8-way fan-out starts no new process on a warm node).
        namespace: the Ray namespace of Cairn's tasks.
    """

    FLAVOR: ClassVar[str] = "ray"

    address: str | None = None
    auth_token: SecretStr | None = None
    code: Literal["package", "present"] = "package"
    max_parallelism: int = Field(default=64, ge=1, le=10_000)
    num_cpus: int | None = Field(default=None, ge=1)
    port: int | None = Field(default=None, ge=1, le=65535)
    warm_workers: int = Field(default=8, ge=0, le=1024)
    namespace: str = "cairn"

    @property
    def requirements(self) -> set[str]:
        """Ray is needed where steps run."""
        return {"ray>=2.52"}

    @property
    def runs_remotely(self) -> bool:
        """Ray tasks may run on any node of the cluster."""
        return True

    @property
    def ships_code(self) -> bool:
        """The code travels through the artifact store unless it is ``present``."""
        return self.code == "package"

    # ------------------------------------------------------------ local head node
    def _daemon_id(self) -> str:
        return head_service_id(self.uuid)

    def _daemon_data_dir(self) -> Path:
        return self.local_path

    def _daemon_spec(self) -> DaemonSpec | None:
        if self.address:
            return None
        from cairn.integrations.ray._head import head_spec

        return head_spec(str(self.uuid), self.local_path, self.port, self.num_cpus,
                         self.warm_workers)  # fmt: skip

    def resume(self) -> None:
        """Start the local head node; Ray's folder of this component's earlier sessions is
        cleared first (nothing uses it while the head node is down)."""
        if not self.address and not self.service.is_running():
            self._remove_session_dir()
        super().resume()

    def deprovision(self) -> None:
        """Stop the local head node and remove its data and Ray's session folder."""
        super().deprovision()
        if not self.address:
            self._remove_session_dir()

    def _remove_session_dir(self) -> None:
        import shutil

        from cairn.integrations.ray._head import session_dir

        shutil.rmtree(session_dir(str(self.uuid)), ignore_errors=True)

    def cluster_address(self) -> tuple[str, Path | None]:
        """The cluster's address and token file.

        Raises:
            ComponentNotRunningError: the local head node is not running.
        """
        if self.address:
            token = self.resolve_secret(self.auth_token)
            return self.address, _token_file(self.local_path, token) if token else None
        state = self.service.read_state()
        if state.pid is None or state.port is None or not self.service.is_running():
            raise ComponentNotRunningError(
                f"The local Ray head node of orchestrator '{self.name}' is not running: run "
                f"'cairn orchestrator up {self.name}' or 'cairn stack up'."
            )
        from cairn.integrations.ray._head import token_file

        return f"127.0.0.1:{state.port}", token_file(self.local_path)

    def connect(self) -> None:
        """Connect this process to the cluster (once per process)."""
        from cairn.integrations.ray._cluster import connect

        address, token = self.cluster_address()
        connect(address, token, self.namespace)

    # ------------------------------------------------------------ running
    def executor(
        self, deployment: PipelineDeployment, stack: Stack, launcher: StepLauncher
    ) -> StepExecutor:
        """Ray tasks, one per step."""
        self.connect()
        return _RayExecutor(self, launcher.deployment)

    def prepare_step_run(self, info: StepRunInfo) -> None:
        """Record the Ray node a step runs on (``ray_node_id`` step metadata)."""
        from cairn.integrations.ray._cluster import in_ray_task

        node = in_ray_task()
        if node is not None:
            from cairn.execution.step_context import log_metadata

            log_metadata(ray_node_id=node)


def _token_file(folder: Path, token: str) -> Path:
    """A private file holding ``token`` (Ray reads tokens from a file or the environment,
    and secrets never go into the environment)."""
    import os

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "cluster_token"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(token)
    return path


class _RayExecutor(StepExecutor):
    """Submits each step as a Ray task; futures come from the tasks' object refs."""

    starts_workers = True

    def __init__(self, orchestrator: RayOrchestrator, deployment: PipelineDeployment) -> None:
        import ray

        from cairn.integrations.ray._cluster import run_step_task

        self.max_in_flight = orchestrator.max_parallelism
        self._deployment = deployment
        self._payload = ray.put(deployment.model_dump_json())
        self._task = ray.remote(max_retries=0)(run_step_task)
        self._refs: dict[str, Any] = {}
        self.submitted = 0

    def submit(self, step: StepSpec) -> cf.Future[Any]:
        from cairn.integrations.ray._cluster import task_options

        options = task_options(step.resources)
        options["name"] = f"cairn:{self._deployment.run_name}:{step.name}"
        ref = self._task.options(**options).remote(
            [self._payload], self._deployment.run_id, step.name
        )
        self._refs[step.name] = ref
        self.submitted += 1
        future: cf.Future[Any] = ref.future()
        return future

    def cancel(self, step_name: str, future: cf.Future[Any]) -> None:
        import ray

        ref = self._refs.get(step_name)
        if ref is not None:
            ray.cancel(ref, force=True)
        future.cancel()

    def close(self) -> None:
        self._refs.clear()
