"""The mlflow experiment tracker's configuration and state without a server (fast)."""

from __future__ import annotations

import json

import pytest

from cairn.enums import StackComponentType
from cairn.stack.registry import StackRegistry

T = StackComponentType


def test_local_tracker_command_binds_loopback_and_keeps_data_in_its_folder() -> None:
    pytest.importorskip("mlflow")
    tracker = StackRegistry().register_component(T.EXPERIMENT_TRACKER, "t", "mlflow", {})
    spec = tracker._daemon_spec()  # type: ignore[attr-defined]
    assert spec is not None and spec.host == "127.0.0.1"
    joined = " ".join(spec.command)
    assert f"sqlite:///{tracker.local_path / 'mlflow.db'}" in joined
    assert str(tracker.local_path / "artifacts") in joined
    assert "MLFLOW_TRACKING_URI" not in (spec.env or {})
    assert tracker.state == "not provisioned"
    tracker.provision()
    assert tracker.state == "suspended" and tracker.local_path.is_dir()
    tracker.deprovision()
    assert tracker.state == "not provisioned"


def test_remote_tracker_needs_no_process_and_hides_secrets() -> None:
    pytest.importorskip("mlflow")
    tracker = StackRegistry().register_component(
        T.EXPERIMENT_TRACKER, "r", "mlflow",
        {"tracking_uri": "https://mlflow.example.com", "tracking_password": "s3cret"},
    )  # fmt: skip
    assert tracker.state == "running" and tracker.log_file is None
    assert tracker.get_tracking_uri() == "https://mlflow.example.com"  # type: ignore[attr-defined]
    assert "s3cret" not in json.dumps(tracker.config_dict())
