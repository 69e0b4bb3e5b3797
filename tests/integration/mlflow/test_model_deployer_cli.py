"""``cairn model-deployer models ...`` against a real MLflow scoring server."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from cairn.cli.main import cli
from cairn.enums import StackComponentType
from cairn.exceptions import ComponentNotRunningError
from cairn.integrations.mlflow.steps import save_model_folder
from cairn.services import list_services
from cairn.services.process import group_alive
from cairn.stack.registry import StackRegistry

pytest.importorskip("mlflow")
pytestmark = [pytest.mark.integration, pytest.mark.slow,
              pytest.mark.filterwarnings("ignore")]  # fmt: skip

T = StackComponentType


@pytest.fixture
def deployer() -> Iterator[object]:
    reg = StackRegistry()
    component = reg.register_component(T.MODEL_DEPLOYER, "md", "mlflow", {})
    reg.update_stack("default", {T.MODEL_DEPLOYER: "md"})
    yield component
    for service in list_services():
        service.stop(grace=5)


def _model(path: Path) -> str:
    from sklearn.datasets import load_iris
    from sklearn.tree import DecisionTreeClassifier

    x, y = load_iris(return_X_y=True)
    model = DecisionTreeClassifier(random_state=0).fit(x, y)
    save_model_folder(model, path)
    return str(path)


def _cairn(*args: str) -> str:
    result = CliRunner().invoke(cli, ["model-deployer", "models", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_models_commands(deployer: object, tmp_path: Path) -> None:
    info = deployer.deploy_model("iris", _model(tmp_path / "m"), model_name="tree")  # type: ignore[attr-defined]
    assert info.running
    listed = json.loads(_cairn("list", "--output", "json"))
    assert [(d["name"], d["status"], d["model_name"]) for d in listed] == [
        ("iris", "running", "tree")]  # fmt: skip
    assert "iris" in _cairn("list", "--running")
    url = _cairn("url", "iris").strip()
    request = urllib.request.Request(url, json.dumps({"inputs": [[5.1, 3.5, 1.4, 0.2]]}).encode(),
                                     {"Content-Type": "application/json"})  # fmt: skip
    with urllib.request.urlopen(request, timeout=30) as response:
        assert json.loads(response.read())["predictions"] == [0]
    assert json.loads(_cairn("describe", "iris", "--output", "json"))["pid"] == info.pid
    assert "stopped" in _cairn("stop", "iris")
    assert not group_alive(info.pid)
    failed = CliRunner().invoke(cli, ["model-deployer", "models", "url", "iris"])
    assert failed.exit_code != 0 and "not running" in failed.output
    assert "No deployments." in _cairn("list", "--running")
    assert "running" in _cairn("start", "iris")
    assert "Uvicorn" in _cairn("logs", "iris") or _cairn("logs", "iris")
    pid = deployer.get_deployment("iris").pid  # type: ignore[attr-defined]
    assert "Deleted" in _cairn("delete", "iris", "--yes")
    assert pid is not None and not group_alive(pid)
    assert "No deployments." in _cairn("list")


def test_tracker_not_running_says_how_to_fix_it() -> None:
    reg = StackRegistry()
    tracker = reg.register_component(T.EXPERIMENT_TRACKER, "t", "mlflow", {})
    assert tracker.state == "not provisioned"
    with pytest.raises(ComponentNotRunningError, match="cairn experiment-tracker up t"):
        tracker.get_tracking_uri()  # type: ignore[attr-defined]
    remote = reg.register_component(
        T.EXPERIMENT_TRACKER, "r", "mlflow", {"tracking_uri": "http://127.0.0.1:1",
                                              "tracking_password": "s3cret"})  # fmt: skip
    assert remote.is_running and remote.log_file is None
    assert "s3cret" not in json.dumps(remote.config_dict())
