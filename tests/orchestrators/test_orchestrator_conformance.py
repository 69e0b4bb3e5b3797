"""The local orchestrator, in both modes, runs the orchestrator conformance suite."""

from __future__ import annotations

from typing import Any

import pytest

from cairn.orchestrators import LocalOrchestrator
from cairn.step_operators import LocalProcessStepOperator
from cairn.testing import OrchestratorConformance
from cairn.testing.orchestrator_conformance import OPERATOR_NAME


class TestLocalThreads(OrchestratorConformance):
    def make_orchestrator(self, **config: Any) -> Any:
        return LocalOrchestrator(name="conformance", mode="threads", **config)

    def make_step_operator(self) -> Any:
        return LocalProcessStepOperator(name=OPERATOR_NAME)


@pytest.mark.slow
class TestLocalProcesses(OrchestratorConformance):
    def make_orchestrator(self, **config: Any) -> Any:
        return LocalOrchestrator(name="conformance", mode="processes", **config)

    def make_step_operator(self) -> Any:
        return LocalProcessStepOperator(name=OPERATOR_NAME)
