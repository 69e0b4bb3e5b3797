"""Ready-made steps of the MLflow integration.

Example:
    >>> from cairn import pipeline
    >>> from cairn.integrations.mlflow.steps import mlflow_model_deployer_step
    >>> @pipeline
    ... def train_and_deploy():
    ...     model = train()
    ...     mlflow_model_deployer_step(model, deploy_decision=True)
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from cairn.exceptions import StackValidationError
from cairn.integrations.mlflow.model_deployer import MLFlowModelDeployer
from cairn.model_deployers import DeploymentInfo
from cairn.steps import step


def _deployer() -> MLFlowModelDeployer:
    from cairn.execution.step_context import get_step_context

    deployer = get_step_context().stack.model_deployer
    if not isinstance(deployer, MLFlowModelDeployer):
        raise StackValidationError(
            "mlflow_model_deployer_step needs an 'mlflow' model deployer in the stack: "
            "cairn model-deployer register NAME --flavor=mlflow && cairn stack update -d NAME"
        )
    return deployer


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-.")[:90] or "model"


def save_sklearn_model(model: Any, deployer: MLFlowModelDeployer, name: str, run_id: str) -> str:
    """Save a scikit-learn model in MLflow's format under the deployer's folder.

    When an MLflow run is active (the step uses the MLflow experiment tracker),
    the saved model is also logged to it as the artifact ``model``.
    """
    import mlflow

    path = deployer.models_dir() / name / _safe(run_id)
    if path.exists():
        import shutil

        shutil.rmtree(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    save_model_folder(model, path)
    if mlflow.active_run() is not None:
        mlflow.log_artifacts(str(path), "model")
    return str(path)


def save_model_folder(model: Any, path: Path) -> None:
    """Save a scikit-learn model as an MLflow model folder at ``path``.

    MLflow serialises scikit-learn models with skops, which refuses to load
    types it does not trust (e.g. decision trees); the model comes from the
    user's own pipeline, so the types it holds are declared trusted.
    """
    import mlflow.sklearn

    trusted: list[str] | None = None
    try:
        import skops.io  # type: ignore[import-untyped]

        trusted = list(skops.io.get_untrusted_types(data=skops.io.dumps(model))) or None
    except ImportError:
        pass
    mlflow.sklearn.save_model(model, str(path), pip_requirements=["scikit-learn", "mlflow"],
                              skops_trusted_types=trusted)  # fmt: skip


def _deploy(model: Any, deployment_name: str, timeout: float) -> DeploymentInfo:
    from cairn.execution.step_context import get_step_context, log_metadata

    context = get_step_context()
    deployer = _deployer()
    existing = deployer.find_deployments(
        pipeline_name=context.pipeline_name, step_name=context.step_name
    )
    name = deployment_name or (existing[0].name if existing else
                               _safe(f"{context.pipeline_name}-{context.step_name}"))  # fmt: skip
    uri = save_sklearn_model(model, deployer, name, context.run_id)
    info = deployer.deploy_model(name, uri, model_name=name, pipeline_name=context.pipeline_name,
                                 step_name=context.step_name, run_name=context.run_name,
                                 timeout=timeout)  # fmt: skip
    log_metadata(deployment=info.name, prediction_url=info.prediction_url or "")
    return info


@step(enable_cache=False)
def mlflow_model_deployer_step(
    model: Any,
    deploy_decision: bool = True,
    deployment_name: str = "",
    timeout: float = 120.0,
) -> DeploymentInfo:
    """Deploy a scikit-learn model with the stack's MLflow model deployer.

    The model is saved in MLflow's format and served by ``mlflow models serve``.
    A deployment made earlier by the same pipeline step is updated (replaced);
    ``deployment_name`` chooses the name (default ``<pipeline>-<step>``). When
    ``deploy_decision`` is false nothing is deployed and the current
    deployment of this step, if any, is returned unchanged.

    Returns:
        The deployment handle (status, prediction URL, ...).
    """
    if deploy_decision:
        return _deploy(model, deployment_name, timeout)
    from cairn.execution.step_context import get_step_context

    context = get_step_context()
    current = _deployer().find_deployments(
        pipeline_name=context.pipeline_name, step_name=context.step_name
    )
    if current:
        return current[0]
    return DeploymentInfo(name=deployment_name, model_uri="", status="not deployed")
