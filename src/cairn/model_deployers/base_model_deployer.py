"""Base class of model deployers: serve models as named, long-running services."""

from __future__ import annotations

from abc import abstractmethod
from typing import Any, ClassVar

from cairn.enums import StackComponentType
from cairn.stack.stack_component import StackComponent


class BaseModelDeployer(StackComponent):
    """Abstract class for all Cairn model deployers.

    A deployment is described by a plain dict (its ``name``, ``model_uri``,
    ``pipeline_name``, ``step_name``, ``status``, ``prediction_url``, ...).
    """

    TYPE: ClassVar[StackComponentType] = StackComponentType.MODEL_DEPLOYER

    @abstractmethod
    def deploy_model(self, name: str, model_uri: str, **config: Any) -> dict[str, Any]:
        """Deploy (or update) the model at ``model_uri`` as deployment ``name``."""

    @abstractmethod
    def find_deployments(self, **filters: Any) -> list[dict[str, Any]]:
        """Deployments matching every filter (``pipeline_name``, ``step_name``, ``running``...)."""

    @abstractmethod
    def start_deployment(self, name: str, timeout: float = 60.0) -> None:
        """Start a stopped deployment."""

    @abstractmethod
    def stop_deployment(self, name: str, timeout: float = 30.0) -> None:
        """Stop a deployment, keeping its configuration."""

    @abstractmethod
    def delete_deployment(self, name: str) -> None:
        """Stop and forget a deployment."""

    @abstractmethod
    def get_prediction_url(self, name: str) -> str | None:
        """The URL that answers prediction requests, if the deployment runs."""
