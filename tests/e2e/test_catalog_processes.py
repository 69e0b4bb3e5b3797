"""Models, inputs by name and output versions when every step runs in its own process."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from cairn import save_artifact
from cairn.client import Client
from cairn.enums import StackComponentType
from cairn.stack import StackRegistry

SCRIPT = textwrap.dedent(
    """
    from typing import Annotated
    from cairn import ArtifactConfig, ExternalArtifact, Model, get_step_context, pipeline, step
    from cairn.client import Client

    @step
    def train(data: list, offset: list) -> Annotated[
        dict, ArtifactConfig(name="proc_model", is_model_artifact=True, tags=["p"])
    ]:
        get_step_context().add_output_metadata({"n": len(data)})
        return {"total": sum(data) + sum(offset)}

    @step
    def promote(model: dict) -> None:
        get_step_context().model.set_stage("production", force=True)

    @pipeline(model=Model(name="proc"), enable_cache=False)
    def training():
        promote(train(Client().get_artifact_version("proc_data"), ExternalArtifact(value=[100])))

    if __name__ == "__main__":
        print(training().run(run_name="proc-run").status)
    """
)


@pytest.mark.slow
def test_catalog_in_step_processes(tmp_path: Path) -> None:
    StackRegistry().update_component(
        StackComponentType.ORCHESTRATOR, "default", {"mode": "processes"}
    )
    save_artifact([1, 2, 3], name="proc_data")
    script = tmp_path / "proc_script.py"
    script.write_text(SCRIPT)
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "completed"
    client = Client()
    artifact = client.get_artifact_version("proc_model")
    assert artifact.load() == {"total": 106}
    assert artifact.tags == ["p"] and artifact.run_metadata == {"n": 3}
    production = client.get_model_version("proc", "production")
    assert production.load_artifact("proc_model") == {"total": 106}
    assert production.to_dict()["runs"] == [client.get_run("proc-run").id]
