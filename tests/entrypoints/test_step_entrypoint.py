"""``python -m cairn.entrypoints.step``: run one step of a recorded run."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any, ClassVar

import pytest

from cairn.client import Client
from cairn.entrypoints.step import main
from cairn.enums import ExecutionStatus, StackComponentType
from cairn.orchestrators import BaseOrchestrator, StepLauncher
from cairn.stack import StackRegistry
from cairn.stack.flavor_registry import register_custom_flavor

COMMANDS: dict[str, list[str]] = {}

SCRIPT = textwrap.dedent(
    """
    from cairn import pipeline, step

    @step
    def produce() -> int:
        return 20

    @step
    def double(x: int) -> int:
        return 2 * x

    @step
    def broken(x: int) -> int:
        raise KeyError("missing column")

    @pipeline
    def recorded() -> None:
        x = produce()
        double(x)
        broken(x)

    if __name__ == "__main__":
        recorded().run(run_name="recorded")
    """
)


class RecordOnlyOrchestrator(BaseOrchestrator):
    """Runs nothing: remembers the command of every step (steps run later, by hand)."""

    FLAVOR: ClassVar[str] = "record_only"

    def prepare_or_run_pipeline(self, deployment: Any, stack: Any, launcher: StepLauncher) -> Any:
        for name in deployment.pipeline.steps:
            COMMANDS[name] = launcher.step_command(name)
        return None


@pytest.fixture
def recorded_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """A run recorded by an orchestrator that runs no step; its step commands."""
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).parent))
    registry = StackRegistry()
    register_custom_flavor(
        registry.store, StackComponentType.ORCHESTRATOR, f"{__name__}:RecordOnlyOrchestrator"
    )
    registry.register_component(StackComponentType.ORCHESTRATOR, "later", "record_only", {})
    components = dict(registry.store.get_stack("default").components)
    components[StackComponentType.ORCHESTRATOR] = "later"
    registry.register_stack("manual", components, activate=True)
    script = tmp_path / "recorded_script.py"
    script.write_text(SCRIPT)
    COMMANDS.clear()
    namespace: dict[str, Any] = {"__name__": "__main__", "__file__": str(script)}
    exec(compile(SCRIPT, str(script), "exec"), namespace)  # defines steps in a "__main__"
    return dict(COMMANDS)


def test_steps_of_a_recorded_run_run_one_by_one(recorded_run: dict[str, list[str]]) -> None:
    assert set(recorded_run) == {"produce", "double", "broken"}
    command = recorded_run["produce"]
    assert command[:3] == [sys.executable, "-m", "cairn.entrypoints.step"]
    for name in ("produce", "double"):
        done = subprocess.run(recorded_run[name], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    failed = subprocess.run(recorded_run["broken"], capture_output=True, text=True)
    assert failed.returncode == 1
    assert "KeyError: 'missing column'" in failed.stderr
    steps = Client().get_run("recorded").steps
    assert steps["double"].outputs["output"].load() == 40
    assert steps["broken"].status == ExecutionStatus.FAILED
    assert "missing column" in (steps["broken"].record.error or "")


def test_main_in_process_and_bad_arguments(recorded_run: dict[str, list[str]]) -> None:
    argv = recorded_run["produce"][3:]
    assert main(argv) == 0
    assert Client().get_run("recorded").steps["produce"].outputs["output"].load() == 20
    assert main(["--deployment", "nowhere/deployment.json", "--step", "double"]) == 1
    with pytest.raises(SystemExit) as info:
        main(["--step", "x"])
    assert info.value.code == 2


def _option(command: list[str], name: str) -> str:
    return command[command.index(name) + 1]


def test_a_step_runs_with_no_registry_no_repository_and_no_active_stack(
    recorded_run: dict[str, list[str]], tmp_path: Path
) -> None:
    """Given only the command (where the deployment is), a worker with an empty config
    folder, in a folder with no ``.cairn/``, rebuilds the stack from the deployment."""
    empty_config = tmp_path / "worker-config"
    empty_config.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAIRN_")}
    env["CAIRN_CONFIG_DIR"] = str(empty_config)
    for name in ("produce", "double"):
        done = subprocess.run(
            recorded_run[name], capture_output=True, text=True, cwd=elsewhere, env=env
        )
        assert done.returncode == 0, done.stderr
    assert Client().get_run("recorded").steps["double"].outputs["output"].load() == 40
    assert not (empty_config / "registry.db").exists()
    assert not (elsewhere / ".cairn").exists()


def test_a_worker_with_another_cairn_version_says_so_before_running(
    recorded_run: dict[str, list[str]], tmp_path: Path
) -> None:
    command = recorded_run["produce"]
    source = Path(_option(command, "--deployment"))
    data = json.loads(source.read_text())
    data["cairn_version"] = "0.0.1"
    data["python_version"] = "2.7.18"
    source.write_text(json.dumps(data))
    done = subprocess.run(command, capture_output=True, text=True)
    assert done.returncode == 1
    assert "the run needs 0.0.1" in done.stderr
    assert "the run needs 2.7" in done.stderr
    assert "produce" not in Client().get_run("recorded").steps


def test_the_deployment_carries_the_stack_code_and_versions(
    recorded_run: dict[str, list[str]],
) -> None:
    from cairn import __version__
    from cairn.models.pipeline_spec import PipelineDeployment

    uri = _option(recorded_run["produce"], "--deployment")
    deployment = PipelineDeployment.model_validate_json(Path(uri).read_text())
    assert deployment.stack is not None
    types = {c.type: c for c in deployment.stack.components}
    assert types["orchestrator"].flavor == "record_only"
    assert types["artifact_store"].config["path"]
    assert deployment.cairn_version == __version__
    assert deployment.python_version == platform.python_version()
    assert deployment.code.mode == "local" and deployment.code.root
