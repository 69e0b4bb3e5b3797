"""Model deployers: online serving of trained models."""

from cairn.model_deployers.base_model_deployer import BaseModelDeployer, DeploymentInfo

__all__ = ["BaseModelDeployer", "DeploymentInfo"]
