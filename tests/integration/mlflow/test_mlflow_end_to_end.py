"""MLflow for real: a local tracking server started by ``stack up``, a served model."""

from __future__ import annotations

import json
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from cairn.enums import ExecutionStatus, StackComponentType
from cairn.exceptions import ComponentNotRunningError
from cairn.services import list_services, pid_alive
from cairn.services.process import group_alive
from cairn.stack.lifecycle import stack_down, stack_up
from cairn.stack.registry import StackRegistry

pytest.importorskip("mlflow")
pytestmark = [pytest.mark.integration, pytest.mark.slow,
              pytest.mark.filterwarnings("ignore")]  # fmt: skip

T = StackComponentType
EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "mlflow_deployment"


@pytest.fixture
def registry() -> Iterator[StackRegistry]:
    """The default stack plus an MLflow tracker and deployer; every service stopped after."""
    reg = StackRegistry()
    reg.register_component(T.EXPERIMENT_TRACKER, "mlflow_tracker", "mlflow", {})
    reg.register_component(T.MODEL_DEPLOYER, "mlflow_deployer", "mlflow", {})
    reg.update_stack("default", {T.EXPERIMENT_TRACKER: "mlflow_tracker",
                                 T.MODEL_DEPLOYER: "mlflow_deployer"})  # fmt: skip
    sys.path.insert(0, str(EXAMPLE))
    yield reg
    sys.path.remove(str(EXAMPLE))
    for service in list_services():
        service.stop(grace=5)


def _post(url: str, rows: list[list[float]]) -> list[int]:
    body = json.dumps({"inputs": rows}).encode()
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return [int(p) for p in json.loads(response.read())["predictions"]]


def test_tracked_pipeline_deploys_and_serves(registry: StackRegistry) -> None:
    from mlflow.tracking import MlflowClient
    from mlflow_pipeline import train_and_deploy

    with pytest.raises(ComponentNotRunningError, match=r"'mlflow_tracker'.*cairn stack up"):
        train_and_deploy().run()
    outcomes = stack_up(registry)
    assert all(o.ok for o in outcomes), [o.message for o in outcomes]
    tracker = registry.get_component(T.EXPERIMENT_TRACKER, "mlflow_tracker")
    assert tracker.is_running
    uri = tracker.get_tracking_uri()  # type: ignore[attr-defined]
    assert uri.startswith("http://127.0.0.1:")
    tracker_pid = tracker.service.read_state().pid  # type: ignore[attr-defined]

    run = train_and_deploy(c=1.0, min_accuracy=0.5).run()
    assert run.status == ExecutionStatus.COMPLETED

    # metrics landed on the local server, in nested runs tagged by Cairn
    train_meta = run.steps["train"].metadata
    client = MlflowClient(uri)
    train_run = client.get_run(train_meta["mlflow_run_id"])
    assert train_run.data.params["C"] == "1.0"
    assert train_run.data.metrics["train_accuracy"] > 0.9
    assert train_run.data.tags["cairn.step"] == "train"
    assert train_run.data.tags["cairn.run"] == run.name
    parent = train_run.data.tags["mlflow.parentRunId"]
    eval_run = client.get_run(run.steps["evaluate"].metadata["mlflow_run_id"])
    assert eval_run.data.tags["mlflow.parentRunId"] == parent
    assert eval_run.data.metrics["test_accuracy"] == run.steps["evaluate"].output.load()
    assert train_meta["mlflow_tracking_url"].startswith(uri + "/#/experiments/")
    experiment = client.get_experiment_by_name("train_and_deploy")
    assert experiment is not None and experiment.experiment_id == train_run.info.experiment_id

    # the model answers real prediction requests
    info = run.steps["mlflow_model_deployer_step"].output.load()
    assert info.running and info.prediction_url.startswith("http://127.0.0.1:")
    assert _post(info.prediction_url, [[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]]) == [0, 2]
    deployer = registry.get_component(T.MODEL_DEPLOYER, "mlflow_deployer")
    found = deployer.find_deployments(pipeline_name="train_and_deploy", running=True)  # type: ignore[attr-defined]
    assert [d.name for d in found] == [info.name]

    # a second run updates the same deployment
    second = train_and_deploy(c=0.5, min_accuracy=0.5).run()
    again = second.steps["mlflow_model_deployer_step"].output.load()
    assert again.name == info.name and again.pid != info.pid
    assert not pid_alive(info.pid) and not group_alive(info.pid)

    # below the threshold nothing is deployed: the step hands back the current deployment
    skipped = train_and_deploy(c=1.0, min_accuracy=1.1).run()
    kept = skipped.steps["mlflow_model_deployer_step"].output.load()
    assert skipped.steps["deployment_trigger"].output.load() is False
    assert kept.name == info.name and kept.pid == again.pid

    # stop, start, delete: no process is left behind
    stopped = deployer.stop_deployment(info.name)  # type: ignore[attr-defined]
    assert stopped.status == "stopped" and not group_alive(again.pid)
    restarted = deployer.start_deployment(info.name)  # type: ignore[attr-defined]
    assert _post(restarted.prediction_url, [[5.1, 3.5, 1.4, 0.2]]) == [0]
    deployer.delete_deployment(info.name)  # type: ignore[attr-defined]
    assert not group_alive(restarted.pid)
    assert deployer.find_deployments() == []  # type: ignore[attr-defined]

    down = stack_down(registry, force=True)
    assert all(o.ok for o in down), [o.message for o in down]
    assert tracker_pid is not None and not group_alive(tracker_pid)
    assert not tracker.is_provisioned
