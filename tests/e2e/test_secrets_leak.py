"""The leak test: an MLflow tracker's credentials, held as secrets, appear nowhere in clear.

A tracker with a user name and password (plain values moved into the default local
secrets manager) runs a pipeline whose first step uses it and whose second does not;
then every file under the test's folders (config folder with the registry, the secret
store, the artifact store, the metadata store and the MLflow store; read as bytes), the
output of every list/describe/export command, the ``--debug`` output of a failing
command and the environment the untracked step saw are searched for the values.
"""

from __future__ import annotations

import base64
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from cairn.cli.main import cli
from cairn.enums import ExecutionStatus, StackComponentType

pytest.importorskip("mlflow")
pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.filterwarnings("ignore")]

USER, PASSWORD = "leak-user-5c0ffee1", "leak-pw-deadbeef42"
NEEDLES = [USER, PASSWORD, base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()]

PIPELINE = """
import json
import os

from cairn import pipeline, step


@step(experiment_tracker="tracker")
def tracked(x: int = 3) -> int:
    import mlflow

    mlflow.log_metric("x", float(x))
    return x


@step
def untracked(x: int) -> str:
    return json.dumps(dict(os.environ))


@pipeline
def leak_check():
    untracked(tracked())
"""


def cairn(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == code, (args, result.output, result.exception)
    return result.output


def hits(text: str | bytes) -> list[str]:
    data = text.encode() if isinstance(text, str) else text
    return [n for n in NEEDLES if n.encode() in data]


@pytest.fixture
def services() -> Iterator[None]:
    from cairn.services import list_services

    yield
    for service in list_services():
        service.stop(grace=5)


@pytest.mark.usefixtures("services")
def test_tracker_credentials_leak_nowhere(tmp_path: Path, isolated_config: Path) -> None:
    import os

    out = cairn("experiment-tracker", "register", "tracker", "--flavor=mlflow",
                f"--tracking_username={USER}", f"--tracking_password={PASSWORD}")  # fmt: skip
    assert "Stored the secret value(s)" in out and not hits(out)
    cairn("stack", "update", "default", "-e", "tracker")
    assert "is valid" in cairn("stack", "validate")
    cairn("stack", "up")

    (Path.cwd() / "leak_pipeline.py").write_text(PIPELINE, encoding="utf-8")
    sys.path.insert(0, str(Path.cwd()))
    try:
        from leak_pipeline import leak_check  # type: ignore[import-not-found]

        run = leak_check().run()
    finally:
        sys.path.remove(str(Path.cwd()))
        sys.modules.pop("leak_pipeline", None)
    assert run.status == ExecutionStatus.COMPLETED
    assert run.steps["tracked"].metadata["mlflow_run_id"]

    # the environment of the step that does not use the tracker, and of this process
    step_env = run.steps["untracked"].output.load()
    assert json.loads(step_env) and not hits(step_env)
    assert not hits(json.dumps(dict(os.environ)))

    # the run's stack snapshot shows references as written
    config = run.stack_snapshot["components"]["experiment_tracker"]["config"]
    assert config["tracking_password"] == "{{experiment-tracker-tracker-tracking-password.value}}"

    # every CLI list/describe/export command
    outputs = [cairn("stack", "list"), cairn("stack", "list", "--output", "json"),
               cairn("stack", "describe"), cairn("stack", "describe", "--output", "json"),
               cairn("stack", "export", "default", "-"), cairn("secret", "list"),
               cairn("pipeline", "list"), cairn("pipeline", "runs", "list"),
               cairn("pipeline", "runs", "describe", run.name),
               cairn("pipeline", "runs", "describe", run.name, "--output", "json")]  # fmt: skip
    for name in json.loads(cairn("secret", "list", "--output", "json")):
        outputs.append(cairn("secret", "get", name["name"]))
    for ctype in StackComponentType:
        outputs += [
            cairn(ctype.cli_name, "list"),
            cairn(ctype.cli_name, "list", "--output", "json"),
        ]
        for record in json.loads(outputs[-1]):
            outputs.append(cairn(ctype.cli_name, "describe", record["name"], "--output", "json"))
            outputs.append(cairn(ctype.cli_name, "describe", record["name"]))
    outputs.append(cairn("--debug", "experiment-tracker", "update", "tracker", "--port=x", code=1))
    outputs.append(cairn("--debug", "experiment-tracker", "update", "tracker",
                         "--tracking_password={{nope.x}}", code=1))  # fmt: skip
    assert "Traceback" in outputs[-2]
    assert [o for o in outputs if hits(o)] == []

    cairn("stack", "down")
    # every file: registry, secret store, artifact store, metadata store, MLflow store, logs
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.name == "mlflow.db" for p in files) and any(p.suffix == ".secret" for p in files)
    leaked = [str(p) for p in files if hits(p.read_bytes())]
    assert leaked == []
