"""Ray runs as a user makes them: code shipped from a script folder, a fan-out over two
nodes, per-step resources, cached steps that start no task, a local head node as a
Cairn service, secrets that cannot travel."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from cairn.enums import ExecutionStatus, StackComponentType
from cairn.exceptions import StackValidationError

pytestmark = [pytest.mark.slow, pytest.mark.integration]

FAN_OUT = textwrap.dedent(
    """
    import json, sys, time
    from cairn import pipeline, step
    from cairn.artifact_stores import LocalArtifactStore
    from cairn.metadata_stores import SQLiteMetadataStore
    from cairn.integrations.ray.orchestrator import RayOrchestrator
    from cairn.stack.stack import Stack
    from helpers import double   # a module next to the script: shipped with it

    @step(settings={"resources": {"num_cpus": 1}})
    def work(i: int) -> int:
        time.sleep(1.0)
        return double(i)

    @step
    def total(a: int, b: int, c: int, d: int, e: int, f: int, g: int, h: int) -> int:
        return a + b + c + d + e + f + g + h

    @pipeline(enable_cache=False)
    def fan_out() -> None:
        total(*[work.with_options(name=f"work_{i}")(i) for i in range(8)])

    if __name__ == "__main__":
        folder, address = sys.argv[1], sys.argv[2]
        stack = Stack.from_components("ray", [
            RayOrchestrator(name="ray", address=address),
            LocalArtifactStore(name="a", path=folder + "/artifacts"),
            SQLiteMetadataStore(name="m", uri=folder + "/meta.db"),
        ])
        run = fan_out().run(stack=stack, run_name="fan-out")
        nodes = {s.metadata.get("ray_node_id") for n, s in run.steps.items() if n != "total"}
        print(json.dumps({"total": run.steps["total"].outputs["output"].load(),
                          "nodes": sorted(n for n in nodes if n),
                          "code": run.record.stack_snapshot is not None}))
    """
)


def test_a_fan_out_runs_on_both_nodes_with_code_shipped_from_the_script_folder(
    ray_env: Any, tmp_path: Path
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "fan_out.py").write_text(FAN_OUT)
    (project / "helpers.py").write_text("def double(x: int) -> int:\n    return 2 * x\n")
    (project / "data.csv").write_text("x\n" * 10)
    (project / ".cairnignore").write_text("data.csv\n")
    data = tmp_path / "data"
    data.mkdir()
    done = subprocess.run([sys.executable, str(project / "fan_out.py"), str(data),
                           ray_env.address], capture_output=True, text=True, cwd=tmp_path,
                          timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["total"] == 2 * sum(range(8))
    assert len(result["nodes"]) == 2, f"steps ran on {result['nodes']}, not on both nodes"
    # the code went through the artifact store, without the ignored data file
    archives = list((data / "artifacts" / "code").glob("*.tar.gz"))
    assert len(archives) == 1
    import tarfile

    with tarfile.open(archives[0]) as tar:
        names = set(tar.getnames())
    assert {"fan_out.py", "helpers.py", ".cairnignore"} <= names
    assert "data.csv" not in names


def _stack(tmp_path: Path, orchestrator: Any, *extra: Any) -> Any:
    from cairn.artifact_stores import LocalArtifactStore
    from cairn.metadata_stores import SQLiteMetadataStore
    from cairn.stack.stack import Stack

    return Stack.from_components("ray-test", [
        orchestrator,
        LocalArtifactStore(name="a", path=str(tmp_path / "artifacts")),
        SQLiteMetadataStore(name="m", uri=str(tmp_path / "meta.db")),
        *extra,
    ])  # fmt: skip


def test_a_cached_step_starts_no_ray_task(
    ray_env: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cairn.integrations.ray import orchestrator as ray_orchestrator
    from cairn.integrations.ray.orchestrator import RayOrchestrator
    from cairn.testing._orchestration_pipelines import cached

    submitted: list[str] = []
    original = ray_orchestrator._RayExecutor.submit

    def counting(self: Any, step: Any) -> Any:
        submitted.append(step.name)
        return original(self, step)

    monkeypatch.setattr(ray_orchestrator._RayExecutor, "submit", counting)
    stack = _stack(tmp_path, RayOrchestrator(name="ray", address=ray_env.address, code="present"))
    cached(value=11).run(stack=stack, run_name="first")
    assert submitted == ["source", "plus"]
    submitted.clear()
    run = cached(value=11).run(stack=stack, run_name="second")
    assert submitted == []
    assert {s.status for s in run.steps.values()} == {ExecutionStatus.CACHED}


def test_a_step_run_elsewhere_refuses_secrets_of_a_local_secrets_manager(
    tmp_path: Path,
) -> None:
    """Refused before anything is recorded or any cluster is contacted."""
    from cairn.integrations.ray.orchestrator import RayOrchestrator
    from cairn.secrets_managers.local_secrets_manager import LocalSecretsManager
    from cairn.testing._orchestration_pipelines import cached

    orchestrator = RayOrchestrator(name="ray", address="127.0.0.1:1",
                                   auth_token="{{ray.token}}")  # type: ignore[arg-type]  # fmt: skip
    manager = LocalSecretsManager(name="here", key_file=str(tmp_path / "key"))
    manager.register_secret("ray", {"token": "s3cr3t"})
    stack = _stack(tmp_path, orchestrator, manager)
    with pytest.raises(StackValidationError) as info:
        cached(value=1).run(stack=stack, run_name="refused")
    message = str(info.value)
    assert "local secrets manager 'here'" in message
    assert "aws, vault or env" in message
    assert not (tmp_path / "meta.db").exists() or not stack.metadata_store.list_runs()


def test_resources_from_the_run_yaml_reach_the_step_spec(tmp_path: Path) -> None:
    from cairn.pipelines.run_file import choose_pipeline, import_pipeline_file, load_config

    script = tmp_path / "pipe.py"
    script.write_text(textwrap.dedent(
        """
        from cairn import pipeline, step

        @step
        def train() -> int:
            return 1

        @pipeline
        def pipe() -> None:
            train()
        """
    ))  # fmt: skip
    config = tmp_path / "run.yaml"
    config.write_text(
        "steps:\n  train:\n    settings:\n      resources: {num_cpus: 0.25, gpu_slot: 1}\n"
    )
    settings = load_config(config)
    configured = choose_pipeline(import_pipeline_file(script), None, str(script))()
    configured = configured.with_step_settings(
        {n: v["settings"] for n, v in settings["steps"].items()}
    )
    spec = configured.compile()
    assert spec.steps["train"].resources == {"num_cpus": 0.25, "gpu_slot": 1}


def test_a_local_head_node_is_a_cairn_service(tmp_path: Path) -> None:
    """``stack up`` starts a head node (own pid, 127.0.0.1, token auth); a run uses it;
    ``stack down`` stops exactly that process tree."""
    from click.testing import CliRunner

    from cairn.cli.main import cli
    from cairn.integrations.ray.orchestrator import RayOrchestrator
    from cairn.stack import StackRegistry

    registry = StackRegistry()
    registry.register_component(StackComponentType.ORCHESTRATOR, "ray-local", "ray",
                                {"num_cpus": 2, "code": "present"})  # fmt: skip
    components = dict(registry.store.get_stack("default").components)
    components[StackComponentType.ORCHESTRATOR] = "ray-local"
    registry.register_stack("ray-local", components, activate=True)
    stack = registry.get_stack("ray-local")
    orchestrator = stack.orchestrator
    assert isinstance(orchestrator, RayOrchestrator)
    up = CliRunner().invoke(cli, ["stack", "up"])
    assert up.exit_code == 0, up.output
    try:
        state = orchestrator.service.read_state()
        assert state.pid is not None and orchestrator.is_running
        script = tmp_path / "run_diamond.py"
        script.write_text(
            "from cairn.testing._orchestration_pipelines import diamond\n"
            "run = diamond(value=4, seconds=0.0).run(run_name='on-local-head')\n"
            "print(run.steps['join'].outputs['output'].load())\n"
            "print(run.steps['left'].metadata.get('ray_node_id'))\n"
        )
        done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                              timeout=300)  # fmt: skip
        assert done.returncode == 0, done.stderr[-3000:]
        result, node = done.stdout.split()[-2:]
        assert result == "8" and node not in ("", "None")
        assert str(state.port) in orchestrator.cluster_address()[0]
    finally:
        from cairn.integrations.ray._cluster import disconnect

        disconnect()
        down = CliRunner().invoke(cli, ["stack", "down"])
    assert down.exit_code == 0, down.output
    assert not orchestrator.is_running
    assert state.pid is not None
    assert not _alive(state.pid)
    from cairn.integrations.ray._head import session_dir

    marker = str(session_dir(str(orchestrator.uuid)))
    assert _processes_mentioning(marker) == [], "Ray processes of the head node survived"
    orchestrator.deprovision()  # its data and Ray's session folder go too
    assert not Path(marker).exists()
    assert not orchestrator.local_path.exists()


def _alive(pid: int) -> bool:
    """Whether ``pid`` is a live process (a zombie waiting to be reaped is not)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _processes_mentioning(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if text in cmdline and _alive(int(entry.name)):
            found.append(int(entry.name))
    return found
