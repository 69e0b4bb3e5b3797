"""Base class of model deployers: serve models as named, long-running services.

A deployment is described by a :class:`DeploymentInfo` (a pydantic model, so a
step can return it as an artifact): its name, the model it serves, the
pipeline step that deployed it, whether it runs and where it answers.

Example:
    >>> deployer = Client().active_stack.model_deployer
    >>> info = deployer.deploy_model("iris", "/path/to/mlflow/model", pipeline_name="train")
    >>> info.prediction_url
    'http://127.0.0.1:50123/invocations'
    >>> deployer.stop_deployment("iris")
"""

from __future__ import annotations

from abc import abstractmethod
from pathlib import Path
from typing import ClassVar

from pydantic import BaseModel

from cairn.enums import StackComponentType
from cairn.stack.stack_component import StackComponent


class DeploymentInfo(BaseModel):
    """One deployment of a model deployer.

    Attributes:
        name: the deployment's unique name within its deployer.
        model_uri: the model it serves (a model folder or a model URI).
        model_name: a name for the model (e.g. the output it came from).
        pipeline_name: the pipeline that deployed it, if any.
        step_name: the step that deployed it, if any.
        run_name: the pipeline run that deployed it, if any.
        deployer: name of the model deployer component.
        status: ``running``, ``stopped``, ``dead``, ... (see ``ServiceStatus``).
        prediction_url: the URL answering prediction requests while it runs.
        pid: the serving process while it runs.
        port: the port it listens on (or last listened on).
        log_file: the serving process's log.
    """

    name: str
    model_uri: str
    model_name: str = ""
    pipeline_name: str = ""
    step_name: str = ""
    run_name: str = ""
    deployer: str = ""
    status: str = "stopped"
    prediction_url: str | None = None
    pid: int | None = None
    port: int | None = None
    log_file: str | None = None

    @property
    def running(self) -> bool:
        """Whether the deployment answers requests."""
        return self.status == "running"


class BaseModelDeployer(StackComponent):
    """Abstract class for all Cairn model deployers."""

    TYPE: ClassVar[StackComponentType] = StackComponentType.MODEL_DEPLOYER

    @abstractmethod
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
        """Deploy the model at ``model_uri`` as ``name``; an existing ``name`` is replaced."""

    @abstractmethod
    def find_deployments(
        self,
        name: str | None = None,
        *,
        pipeline_name: str | None = None,
        step_name: str | None = None,
        model_name: str | None = None,
        running: bool | None = None,
    ) -> list[DeploymentInfo]:
        """Deployments matching every filter given, sorted by name."""

    @abstractmethod
    def get_deployment(self, name: str) -> DeploymentInfo:
        """One deployment (``DoesNotExistError`` if there is none)."""

    @abstractmethod
    def start_deployment(self, name: str, timeout: float = 120.0) -> DeploymentInfo:
        """Start a stopped deployment and wait until it answers."""

    @abstractmethod
    def stop_deployment(self, name: str, timeout: float = 30.0) -> DeploymentInfo:
        """Stop a deployment, keeping it (it can be started again)."""

    @abstractmethod
    def delete_deployment(self, name: str) -> None:
        """Stop a deployment and forget it."""

    @abstractmethod
    def get_logs(self, name: str) -> Path:
        """The log file of a deployment's serving process."""

    def get_prediction_url(self, name: str) -> str | None:
        """The URL that answers prediction requests, if the deployment runs."""
        return self.get_deployment(name).prediction_url
