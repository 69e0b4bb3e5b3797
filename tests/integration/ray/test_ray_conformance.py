"""The ``ray`` orchestrator and step operator against a real two-node Ray cluster."""

from __future__ import annotations

from typing import Any

import pytest

from cairn.integrations.ray.orchestrator import RayOrchestrator
from cairn.integrations.ray.step_operator import RayStepOperator
from cairn.testing import OrchestratorConformance
from cairn.testing.orchestrator_conformance import OPERATOR_NAME

pytestmark = [pytest.mark.slow, pytest.mark.integration]


class TestRayOrchestrator(OrchestratorConformance):
    @pytest.fixture(autouse=True)
    def _cluster(self, ray_env: Any) -> None:
        self.cluster = ray_env

    def make_orchestrator(self, **config: Any) -> Any:
        return RayOrchestrator(name="conformance", address=self.cluster.address, **config)

    def make_step_operator(self) -> Any:
        return RayStepOperator(name=OPERATOR_NAME, address=self.cluster.address)
