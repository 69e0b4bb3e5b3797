"""The model deployer base API and its deployment handle."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import pytest

from cairn.model_deployers import BaseModelDeployer, DeploymentInfo


class _Memory(BaseModelDeployer):
    """A deployer that keeps deployments in memory (no process)."""

    FLAVOR: ClassVar[str] = "memory"
    _items: dict[str, DeploymentInfo] = {}

    def deploy_model(self, name: str, model_uri: str, **meta: Any) -> DeploymentInfo:
        meta.pop("timeout", None)
        info = DeploymentInfo(name=name, model_uri=model_uri, status="running",
                              prediction_url=f"mem://{name}", **meta)  # fmt: skip
        self._items[name] = info
        return info

    def find_deployments(self, name: str | None = None, **filters: Any) -> list[DeploymentInfo]:
        return [i for i in self._items.values() if name in (None, i.name)]

    def get_deployment(self, name: str) -> DeploymentInfo:
        return self._items[name]

    def start_deployment(self, name: str, timeout: float = 120.0) -> DeploymentInfo:
        return self._items[name]

    def stop_deployment(self, name: str, timeout: float = 30.0) -> DeploymentInfo:
        info = self._items[name].model_copy(update={"status": "stopped", "prediction_url": None})
        self._items[name] = info
        return info

    def delete_deployment(self, name: str) -> None:
        del self._items[name]

    def get_logs(self, name: str) -> Path:
        return Path("/dev/null")


def test_deployment_info_is_plain_data() -> None:
    info = DeploymentInfo(name="iris", model_uri="/m", pipeline_name="p", status="running")
    assert info.running
    assert DeploymentInfo.model_validate_json(info.model_dump_json()) == info
    assert not DeploymentInfo(name="x", model_uri="/m").running


def test_prediction_url_comes_from_the_deployment() -> None:
    deployer = _Memory(name="m")
    deployer.deploy_model("a", "/model", pipeline_name="p")
    assert deployer.get_prediction_url("a") == "mem://a"
    deployer.stop_deployment("a")
    assert deployer.get_prediction_url("a") is None


def test_base_is_abstract() -> None:
    with pytest.raises(TypeError):
        BaseModelDeployer(name="x")  # type: ignore[abstract]
