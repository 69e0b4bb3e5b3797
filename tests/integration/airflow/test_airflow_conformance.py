"""The ``airflow`` orchestrator runs the orchestrator conformance suite (real Airflow 3)."""

from __future__ import annotations

import importlib.util
from typing import Any

import pytest

from cairn.testing import OrchestratorConformance

if importlib.util.find_spec("airflow") is None:  # never import airflow here (it writes ~/airflow)
    pytest.skip("airflow is not installed (pip install 'cairn[airflow]')", allow_module_level=True)
pytestmark = [pytest.mark.integration, pytest.mark.slow,
              pytest.mark.filterwarnings("ignore")]  # fmt: skip


class TestAirflowOrchestrator(OrchestratorConformance):
    SEQUENTIAL = (
        "a run started now goes through 'airflow dags test', which runs a DAG run's tasks one "
        "after another (Airflow's parallel executors need a PostgreSQL or MySQL database)"
    )
    FAILURE_POLICIES = ("continue",)

    def make_orchestrator(self, **config: Any) -> Any:
        from cairn.integrations.airflow.orchestrator import AirflowOrchestrator

        return AirflowOrchestrator(
            name="conformance", airflow_home=str(self.folder / "airflow"), serve=False, **config
        )


def test_steps_naming_a_step_operator_are_refused_before_anything_is_recorded(
    tmp_path: Any,
) -> None:
    from cairn.artifact_stores import LocalArtifactStore
    from cairn.exceptions import StackValidationError
    from cairn.integrations.airflow.orchestrator import AirflowOrchestrator
    from cairn.metadata_stores import SQLiteMetadataStore
    from cairn.stack.stack import Stack
    from cairn.step_operators import LocalProcessStepOperator
    from cairn.testing._orchestration_pipelines import on_operator
    from cairn.testing.orchestrator_conformance import OPERATOR_NAME

    stack = Stack.from_components("af", [
        AirflowOrchestrator(name="af", airflow_home=str(tmp_path / "airflow"), serve=False),
        LocalArtifactStore(name="a", path=str(tmp_path / "artifacts")),
        SQLiteMetadataStore(name="m", uri=str(tmp_path / "meta.db")),
        LocalProcessStepOperator(name=OPERATOR_NAME),
    ])  # fmt: skip
    with pytest.raises(StackValidationError, match="cannot hand step"):
        on_operator().run(stack=stack, run_name="refused")
    assert stack.metadata_store.list_runs() == []
