"""The MLflow tracker keeps no module globals: hooks get the run and step from their context."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from cairn.artifact_stores import LocalArtifactStore
from cairn.exceptions import PipelineRunFailedError
from cairn.metadata_stores import SQLiteMetadataStore
from cairn.orchestrators import LocalOrchestrator
from cairn.pipelines.run_file import choose_pipeline, import_pipeline_file
from cairn.stack.stack import Stack

pytest.importorskip("mlflow")
pytestmark = [pytest.mark.integration, pytest.mark.slow,
              pytest.mark.filterwarnings("ignore")]  # fmt: skip

SCRIPT = textwrap.dedent(
    """
    import mlflow
    from cairn import pipeline, step

    @step(experiment_tracker="tracker")
    def good() -> int:
        mlflow.log_metric("value", 1.0)
        return 1

    @step(experiment_tracker="tracker")
    def bad() -> int:
        raise ValueError("tracked failure")

    @pipeline(enable_cache=False)
    def tracked() -> None:
        good()
        bad()

    @pipeline(enable_cache=False)
    def tracked_ok() -> None:
        good()
    """
)


@pytest.mark.parametrize("mode", ["threads", "processes"])
def test_failed_steps_and_runs_end_failed_and_each_run_ends_its_own_parent(
    mode: str, tmp_path: Path
) -> None:
    from mlflow.tracking import MlflowClient

    from cairn.integrations.mlflow.experiment_tracker import (
        TAG_RUN_ID,
        TAG_STEP,
        MLFlowExperimentTracker,
    )

    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    MlflowClient(uri).search_experiments()  # make its schema once (step processes race on it)
    stack = Stack.from_components("tracked", [
        LocalOrchestrator(name="local", mode=mode, failure_policy="continue"),
        LocalArtifactStore(name="a", path=str(tmp_path / "artifacts")),
        SQLiteMetadataStore(name="m", uri=str(tmp_path / "meta.db")),
        MLFlowExperimentTracker(name="tracker", tracking_uri=uri),
    ])  # fmt: skip
    script = tmp_path / "tracked_pipes.py"
    script.write_text(SCRIPT)
    pipelines = import_pipeline_file(script)
    with pytest.raises(PipelineRunFailedError):
        choose_pipeline(pipelines, "tracked", str(script))().run(stack=stack, run_name="one")
    choose_pipeline(pipelines, "tracked_ok", str(script))().run(stack=stack, run_name="two")

    client = MlflowClient(uri)
    runs = {}
    for name in ("tracked", "tracked_ok"):
        experiment = client.get_experiment_by_name(name)
        assert experiment is not None
        runs[name] = client.search_runs([experiment.experiment_id])
    one_id = stack.metadata_store.get_run("one").id
    two_id = stack.metadata_store.get_run("two").id

    def status(name: str, run_id: str, step: str | None) -> set[str]:
        return {
            r.info.status
            for r in runs[name]
            if r.data.tags.get(TAG_RUN_ID) == run_id and r.data.tags.get(TAG_STEP) == step
        }

    assert status("tracked", one_id, "good") == {"FINISHED"}
    assert status("tracked", one_id, "bad") == {"FAILED"}
    assert status("tracked", one_id, None) == {"FAILED"}, "one parent run, ended FAILED"
    assert status("tracked_ok", two_id, None) == {"FINISHED"}
    assert status("tracked_ok", two_id, "good") == {"FINISHED"}
