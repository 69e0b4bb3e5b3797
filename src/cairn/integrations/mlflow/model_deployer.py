"""The ``mlflow`` model deployer flavor: models served by MLflow's scoring server.

Each deployment is a Cairn local service (``mlflow models serve --env-manager
local``) on its own free loopback port; its state file under
``<config_dir>/services/mlflow-deploy-<deployer uuid>-<name>/`` is the
deployment's record (model URI, pipeline, step, ...), so deployments survive
the CLI and are found again by any process.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, ClassVar

from cairn.exceptions import DoesNotExistError
from cairn.model_deployers import BaseModelDeployer, DeploymentInfo
from cairn.services import HealthCheck, LocalService, list_services

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
_HEALTH = HealthCheck("http", "/ping", timeout=5.0)


class MLFlowModelDeployer(BaseModelDeployer):
    """Serve MLflow models locally, one process and port per deployment.

    Attributes:
        host: interface the model servers bind to (loopback unless told).
        workers: scoring server workers per deployment.
    """

    FLAVOR: ClassVar[str] = "mlflow"

    host: str = "127.0.0.1"
    workers: int = 1

    @property
    def requirements(self) -> set[str]:
        """MLflow is needed where the deployment step runs."""
        return {"mlflow>=2.10"}

    @property
    def _prefix(self) -> str:
        return f"mlflow-deploy-{self.uuid}-"

    def _service(self, name: str) -> LocalService:
        if not _NAME.match(name):
            raise ValueError(
                f"Invalid deployment name {name!r}: use letters, digits, '.', '_' and '-'."
            )
        return LocalService(self._prefix + name)

    def models_dir(self) -> Path:
        """Where the deployment step saves the models it deploys."""
        return self.local_path / "models"

    # ------------------------------------------------------------ queries
    def _info(self, service: LocalService) -> DeploymentInfo:
        state = service.read_state()
        status = service.status()
        meta: dict[str, Any] = dict(state.config)
        url = f"http://{state.host}:{state.port}/invocations" if status.running else None
        return DeploymentInfo(
            name=service.id[len(self._prefix) :], model_uri=str(meta.get("model_uri", "")),
            model_name=str(meta.get("model_name", "")),
            pipeline_name=str(meta.get("pipeline_name", "")),
            step_name=str(meta.get("step_name", "")), run_name=str(meta.get("run_name", "")),
            deployer=self.name, status=status.state, prediction_url=url,
            pid=status.pid if status.running else None, port=state.port,
            log_file=str(service.log_file),
        )  # fmt: skip

    def find_deployments(
        self,
        name: str | None = None,
        *,
        pipeline_name: str | None = None,
        step_name: str | None = None,
        model_name: str | None = None,
        running: bool | None = None,
    ) -> list[DeploymentInfo]:
        """Deployments of this deployer matching every filter given, sorted by name."""
        found = []
        for service in list_services():
            if not service.id.startswith(self._prefix):
                continue
            info = self._info(service)
            wanted = {"name": name, "pipeline_name": pipeline_name, "step_name": step_name,
                      "model_name": model_name}  # fmt: skip
            if any(v is not None and getattr(info, k) != v for k, v in wanted.items()):
                continue
            if running is not None and info.running != running:
                continue
            found.append(info)
        return sorted(found, key=lambda i: i.name)

    def get_deployment(self, name: str) -> DeploymentInfo:
        """One deployment (``DoesNotExistError`` if there is none)."""
        service = self._service(name)
        if not service.exists():
            known = ", ".join(i.name for i in self.find_deployments()) or "none"
            raise DoesNotExistError(
                f"Model deployer '{self.name}' has no deployment '{name}' (deployments: {known})."
            )
        return self._info(service)

    # ------------------------------------------------------------ actions
    def deploy_model(
        self,
        name: str,
        model_uri: str,
        *,
        model_name: str = "",
        pipeline_name: str = "",
        step_name: str = "",
        run_name: str = "",
        timeout: float = 120.0,
    ) -> DeploymentInfo:
        """Serve ``model_uri`` as ``name`` (an existing deployment is replaced)."""
        service = self._service(name)
        service.stop()
        meta = {
            "model_uri": model_uri,
            "model_name": model_name or name,
            "pipeline_name": pipeline_name,
            "step_name": step_name,
            "run_name": run_name,
        }
        state = service.read_state()
        state.config = meta
        service.write_state(state)  # recorded even if the start fails
        return self._start(service, meta, timeout)

    def _start(self, service: LocalService, meta: dict[str, Any], timeout: float) -> DeploymentInfo:
        from cairn.integrations.mlflow._commands import mlflow_command, service_env

        command = [*mlflow_command(), "models", "serve", "-m", str(meta["model_uri"]),
                   "--env-manager", "local", "-h", "{host}", "-p", "{port}",
                   "-w", str(self.workers)]  # fmt: skip
        previous = service.read_state().port
        port = previous if previous is not None and not _taken(previous) else None
        service.start(command, port=port, host=self.host, health=_HEALTH,
                      env=service_env(), timeout=timeout, config=meta)  # fmt: skip
        return self._info(service)

    def start_deployment(self, name: str, timeout: float = 120.0) -> DeploymentInfo:
        """Start a stopped deployment and wait until it answers."""
        info = self.get_deployment(name)
        if info.running:
            return info
        service = self._service(name)
        return self._start(service, dict(service.read_state().config), timeout)

    def stop_deployment(self, name: str, timeout: float = 30.0) -> DeploymentInfo:
        """Stop a deployment, keeping it."""
        self.get_deployment(name)
        service = self._service(name)
        service.stop(grace=timeout)
        return self._info(service)

    def delete_deployment(self, name: str) -> None:
        """Stop a deployment and forget it (its log goes too)."""
        self.get_deployment(name)
        self._service(name).remove()

    def get_logs(self, name: str) -> Path:
        """The log file of a deployment's scoring server."""
        self.get_deployment(name)
        return self._service(name).log_file

    def deprovision(self) -> None:
        """Delete every deployment of this deployer and its saved models."""
        import shutil

        for info in self.find_deployments():
            self.delete_deployment(info.name)
        shutil.rmtree(self.local_path, ignore_errors=True)


def _taken(port: int) -> bool:
    from cairn.services import port_in_use

    return port_in_use(port)


__all__ = ["MLFlowModelDeployer"]
