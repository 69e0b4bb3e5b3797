"""The MLflow flavors pass Cairn's stack component conformance suite."""

from __future__ import annotations

from typing import Any

import pytest

from cairn.testing.stack_component_conformance import StackComponentConformance

pytest.importorskip("mlflow")
pytestmark = pytest.mark.integration


class TestRemoteTrackerConformance(StackComponentConformance):
    def make_component(self) -> Any:
        from cairn.integrations.mlflow.experiment_tracker import MLFlowExperimentTracker

        return MLFlowExperimentTracker(name="t", tracking_uri="http://127.0.0.1:1",
                                       tracking_password="secret")  # fmt: skip


class TestLocalTrackerConformance(StackComponentConformance):
    STATE_METHODS = False  # starting a tracking server is covered by the slow tests

    def make_component(self) -> Any:
        from cairn.integrations.mlflow.experiment_tracker import MLFlowExperimentTracker

        return MLFlowExperimentTracker(name="t")


class TestModelDeployerConformance(StackComponentConformance):
    def make_component(self) -> Any:
        from cairn.integrations.mlflow.model_deployer import MLFlowModelDeployer

        return MLFlowModelDeployer(name="d")
