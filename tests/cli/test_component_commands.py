"""``cairn <component-type> ...`` commands, generated for every type."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cairn.enums import StackComponentType

from .helpers import CUSTOM_STORE, fail, invoke, snapshot, write_module


def test_list_shows_the_default_store_as_active() -> None:
    lines = invoke("artifact-store", "list").stdout.splitlines()
    assert lines[0].split() == ["ACTIVE", "NAME", "FLAVOR", "UUID"]
    assert lines[1].split()[:3] == ["*", "default", "local"]


def test_list_of_an_empty_type_says_so() -> None:
    assert "No container registries registered." in invoke("container-registry", "list").stdout


def test_list_json_is_parseable_and_masks_nothing_it_should_not() -> None:
    data = json.loads(invoke("artifact-store", "list", "--output", "json").stdout)
    assert [(d["name"], d["flavor"], d["active"], d["stacks"]) for d in data] == [
        ("default", "local", True, ["default"])
    ]
    assert data[0]["config"]["path"]


def test_register_then_describe(tmp_path: Path) -> None:
    out = invoke("artifact-store", "register", "mine", "--flavor=local", f"--path={tmp_path}/a")
    assert "Registered artifact-store 'mine' (flavor local)." in out.stdout
    text = invoke("artifact-store", "describe", "mine").stdout
    assert "artifact-store 'mine' (flavor local)" in text
    assert f"path: {tmp_path}/a" in text
    data = json.loads(invoke("artifact-store", "describe", "mine", "--output", "json").stdout)
    assert data["config"] == {"path": f"{tmp_path}/a"}
    assert data["active"] is False and data["stacks"] == []


def test_register_accepts_space_separated_values_and_short_flavor(tmp_path: Path) -> None:
    invoke("artifact-store", "register", "spaced", "-f", "local", "--path", str(tmp_path / "s"))
    assert f"path: {tmp_path}/s" in invoke("artifact-store", "describe", "spaced").stdout


def test_param_from_file(tmp_path: Path) -> None:
    value = tmp_path / "from_file"
    (tmp_path / "path.txt").write_text(f"{value}\n")
    invoke("artifact-store", "register", "f", "--flavor=local", f"--path=@{tmp_path}/path.txt")
    assert f"path: {value}" in invoke("artifact-store", "describe", "f").stdout


def test_param_file_that_cannot_be_read(tmp_path: Path) -> None:
    before = snapshot()
    err = fail("artifact-store", "register", "f", "--flavor=local", f"--path=@{tmp_path}/nope")
    assert "Cannot read parameter file" in err
    assert snapshot() == before


def test_unknown_flavor_lists_the_flavors() -> None:
    before = snapshot()
    err = fail("artifact-store", "register", "x", "--flavor=nope", "--path=/tmp/x")
    assert "No artifact-store flavor named 'nope'. Available: azure, gcp, local, s3" in err
    assert snapshot() == before


def test_missing_parameter_names_the_field() -> None:
    before = snapshot()
    err = fail("artifact-store", "register", "x", "--flavor=local")
    assert "path: missing: pass --path=VALUE" in err
    assert snapshot() == before


def test_unknown_parameter_names_the_field(tmp_path: Path) -> None:
    err = fail(
        "artifact-store", "register", "x", "--flavor=local", f"--path={tmp_path}", "--colour=1"
    )
    assert "colour: unknown parameter" in err


def test_invalid_value_names_the_field(stateful: str) -> None:
    before = snapshot()
    err = fail("alerter", "register", "a", "--flavor=stateful", "--retries=many")
    assert "retries:" in err and "integer" in err
    assert snapshot() == before


def test_values_are_parsed_to_the_field_type(stateful: str) -> None:
    invoke("alerter", "register", "a", "--flavor=stateful", "--retries=3", "--fail-on=42")
    config = json.loads(invoke("alerter", "describe", "a", "--output", "json").stdout)["config"]
    assert config["retries"] == 3 and config["fail_on"] == "42"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["positional"], "Unexpected argument 'positional'"),
        (["--retries"], "Parameter --retries needs a value"),
        (["--retries=1", "--retries=2"], "Parameter --retries is given twice"),
        (["--uuid=1"], "--uuid cannot be set"),
    ],
)
def test_malformed_parameters(stateful: str, args: list[str], message: str) -> None:
    assert message in fail("alerter", "register", "a", "--flavor=stateful", *args)


def test_name_must_come_before_the_parameters(tmp_path: Path) -> None:
    err = fail("artifact-store", "register", f"--path={tmp_path}", "x", "--flavor=local")
    assert "Give NAME before the parameters: cairn artifact-store register NAME" in err
    assert "Give NAME before" in fail("artifact-store", "update", "--path=/x", "default")


def test_missing_flavor_option_is_a_usage_error() -> None:
    result = invoke("artifact-store", "register", "x", "--path=/tmp/x", code=2)
    assert "--flavor" in result.stderr


def test_duplicate_name_is_refused(tmp_path: Path) -> None:
    invoke("artifact-store", "register", "dup", "--flavor=local", f"--path={tmp_path}/1")
    before = snapshot()
    err = fail("artifact-store", "register", "dup", "--flavor=local", f"--path={tmp_path}/2")
    assert "An artifact-store named 'dup' already exists" in err or "named 'dup' already" in err
    assert snapshot() == before


def test_describe_without_name_uses_the_active_stack() -> None:
    assert (
        "artifact-store 'default' (flavor local) [active]"
        in invoke("artifact-store", "describe").stdout
    )


def test_describe_without_name_when_the_active_stack_has_none() -> None:
    assert "The active stack 'default' has no alerter" in fail("alerter", "describe")


def test_describe_missing_component() -> None:
    err = fail("artifact-store", "describe", "ghost")
    assert "No artifact-store named 'ghost'. Registered: default." in err


def test_update_changes_parameters(stateful: str) -> None:
    invoke("alerter", "register", "a", "--flavor=stateful")
    assert "Updated alerter 'a': retries." in invoke("alerter", "update", "a", "--retries=5").stdout
    config = json.loads(invoke("alerter", "describe", "a", "--output", "json").stdout)["config"]
    assert config["retries"] == 5


def test_update_errors_change_nothing(stateful: str) -> None:
    invoke("alerter", "register", "a", "--flavor=stateful")
    before = snapshot()
    assert "retries:" in fail("alerter", "update", "a", "--retries=x")
    assert "Nothing to update" in fail("alerter", "update", "a")
    assert "No alerter named 'ghost'" in fail("alerter", "update", "ghost", "--retries=1")
    assert "--flavor cannot be set" in fail("alerter", "update", "a", "--flavor=other")
    assert snapshot() == before


def test_update_that_breaks_a_stack_is_refused(tmp_path: Path) -> None:
    before = snapshot()
    assert "path" in fail("artifact-store", "update", "default", "--path=s3://bucket")
    assert snapshot() == before


def test_secrets_are_masked_everywhere(stateful: str) -> None:
    invoke("alerter", "register", "a", "--flavor=stateful", "--token=hunter2")
    outputs = [
        invoke("alerter", "describe", "a").stdout,
        invoke("alerter", "describe", "a", "--output", "json").stdout,
        invoke("alerter", "list", "--output", "json").stdout,
        invoke("alerter", "list").stdout,
    ]
    assert all("hunter2" not in out for out in outputs)
    assert json.loads(outputs[1])["config"]["token"] == "{{alerter-a-token.value}}"
    result = invoke("alerter", "update", "a", "--token=correct-horse")
    assert "correct-horse" not in result.output
    assert "secrets manager 'default'" in result.output
    assert "correct-horse" not in invoke("alerter", "describe", "a").stdout


def test_rename_keeps_stacks_using_it(tmp_path: Path) -> None:
    out = invoke("artifact-store", "rename", "default", "main").stdout
    assert "Renamed artifact-store 'default' to 'main'." in out
    stack = json.loads(invoke("stack", "describe", "--output", "json").stdout)
    assert stack["components"]["artifact_store"]["name"] == "main"
    invoke("orchestrator", "register", "other", "--flavor=local")
    before = snapshot()
    assert "already exists" in fail("orchestrator", "rename", "default", "other")
    assert "No orchestrator named 'ghost'" in fail("orchestrator", "rename", "ghost", "x")
    assert snapshot() == before


def test_delete(tmp_path: Path) -> None:
    invoke("artifact-store", "register", "gone", "--flavor=local", f"--path={tmp_path}/g")
    assert "Deleted artifact-store 'gone'." in invoke("artifact-store", "delete", "gone").stdout
    assert "No artifact-store named 'gone'" in fail("artifact-store", "delete", "gone")


def test_delete_of_a_used_component_names_the_stacks() -> None:
    invoke("stack", "register", "other", "-o", "default", "-a", "default", "-m", "default")
    before = snapshot()
    err = fail("artifact-store", "delete", "default")
    assert "used by stack(s) default, other" in err
    assert snapshot() == before


def test_up_and_down_of_a_component(stateful: str) -> None:
    invoke("alerter", "register", "a", "--flavor=stateful")
    assert "alerter 'a': provisioned, resumed (running)." in invoke("alerter", "up", "a").stdout
    assert "already up (running)" in invoke("alerter", "up", "a").stdout
    assert "alerter 'a': suspended." in invoke("alerter", "down", "a").stdout
    assert "resumed (running)" in invoke("alerter", "up", "a").stdout
    out = invoke("alerter", "down", "a", "--force").stdout
    assert "suspended, deprovisioned (not provisioned)" in out
    assert "not provisioned" in invoke("alerter", "down", "a").stdout


def test_up_and_down_without_name_use_the_active_stack(stack_with_alerter: str) -> None:
    assert "alerter 'bell': provisioned, resumed (running)." in invoke("alerter", "up").stdout
    assert "alerter 'bell': suspended" in invoke("alerter", "down").stdout
    assert "resumed" in invoke("orchestrator", "up").stdout  # starts its scheduler
    assert "already up" in invoke("orchestrator", "up").stdout


def test_up_failure_shows_the_log_tail_then_one_error_line(stateful: str) -> None:
    invoke("alerter", "register", "a", "--flavor=stateful", "--fail-on=resume")
    result = invoke("alerter", "up", "a", code=1)
    lines = result.stderr.splitlines()
    assert lines[0].startswith("Last lines of ") and lines[0].endswith("alerter.log:")
    assert lines[1:4] == ["    provisioning", "    resuming", "    port 4321 is already taken"]
    assert lines[-1].startswith("Error: internal error (RuntimeError: the daemon did not start)")
    assert "Traceback" not in result.stderr


def test_logs(stateful: str) -> None:
    invoke("alerter", "register", "a", "--flavor=stateful")
    assert "The alerter 'a' has no logs." in invoke("alerter", "logs", "a").stdout
    invoke("alerter", "up", "a")
    assert invoke("alerter", "logs", "a").stdout.splitlines() == ["provisioning", "resuming"]
    assert (
        "The artifact-store 'default' has no logs."
        in invoke("artifact-store", "logs", "default").stdout
    )
    assert "No alerter named 'x'" in fail("alerter", "logs", "x")


def test_flavor_list_shows_builtin_flavors() -> None:
    lines = invoke("artifact-store", "flavor", "list").stdout.splitlines()
    assert lines[0].split()[:5] == ["FLAVOR", "ORIGIN", "INTEGRATION", "USABLE", "SOURCE"]
    assert lines[1].split()[:4] == ["local", "builtin", "-", "yes"]
    data = json.loads(invoke("experiment-tracker", "flavor", "list", "--output", "json").stdout)
    mlflow = next(d for d in data if d["name"] == "mlflow")
    assert mlflow["origin"] == "integration" and mlflow["integration"] == "mlflow"


def test_custom_flavor_registered_from_the_repository_root(tmp_path: Path) -> None:
    repo = tmp_path / "project"
    repo.mkdir()
    invoke("init", str(repo))
    module = write_module(CUSTOM_STORE, repo, prefix="my_flavors")
    sub = repo / "notebooks"
    sub.mkdir()
    import os

    os.chdir(sub)  # from a sub-folder: the repository root is the source root
    out = invoke("artifact-store", "flavor", "register", f"{module}.MyCustomArtifactStore").stdout
    assert f"Registered artifact-store flavor 'custom' ({module}:MyCustomArtifactStore)." in out
    rows = [r.split() for r in invoke("artifact-store", "flavor", "list").stdout.splitlines()]
    assert ["custom", "custom", "-", "yes", f"{module}:MyCustomArtifactStore", "-"] in rows
    invoke("artifact-store", "register", "c", "--flavor=custom", "--path=custom://bucket")
    assert "flavor custom" in invoke("artifact-store", "describe", "c").stdout
    assert "already registered" in fail(
        "artifact-store", "flavor", "register", f"{module}.MyCustomArtifactStore"
    )
    invoke("artifact-store", "flavor", "register", f"{module}.MyCustomArtifactStore", "--overwrite")


def test_flavor_register_errors_change_nothing() -> None:
    before = snapshot()
    assert "Cannot import 'nowhere.Thing'" in fail("artifact-store", "flavor", "register",
                                                  "nowhere.Thing")  # fmt: skip
    module = write_module(CUSTOM_STORE)
    err = fail("alerter", "flavor", "register", f"{module}.MyCustomArtifactStore")
    assert "subclass cairn.alerters.BaseAlerter" in err
    assert snapshot() == before


def test_flavor_delete(stateful: str) -> None:
    assert (
        "Deleted custom alerter flavor 'stateful'."
        in invoke("alerter", "flavor", "delete", "stateful").stdout
    )
    assert "No custom alerter flavor named 'stateful'" in fail("alerter", "flavor", "delete",
                                                              "stateful")  # fmt: skip


@pytest.mark.parametrize("ctype", list(StackComponentType))
def test_help_of_every_type(ctype: StackComponentType) -> None:
    out = invoke(ctype.cli_name, "--help").stdout
    for command in ("list", "register", "describe", "update", "rename", "delete", "up", "down",
                    "logs", "flavor"):  # fmt: skip
        assert f"  {command} " in out
    assert "flavor register" not in out
    assert "register" in invoke(ctype.cli_name, "flavor", "--help").stdout


@pytest.mark.slow
def test_logs_follow_in_a_real_process(stateful: str) -> None:
    import subprocess
    import sys

    invoke("alerter", "register", "a", "--flavor=stateful")
    invoke("alerter", "up", "a")
    follower = subprocess.Popen(
        [sys.executable, "-m", "cairn.cli.main", "alerter", "logs", "a", "-f"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert follower.stdout is not None
        assert follower.stdout.readline() == "provisioning\n"
        assert follower.stdout.readline() == "resuming\n"
        invoke("alerter", "down", "a")  # appends "suspending" to the log
        assert follower.stdout.readline() == "suspending\n"
    finally:
        follower.terminate()
        follower.wait(timeout=30)
        if follower.stdout is not None:
            follower.stdout.close()


def test_extra_subcommands_of_a_type_are_loaded_lazily(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from cairn.cli import component_commands

    module = write_module(
        "import click\n\n@click.command()\ndef models():\n    click.echo('deployments!')\n"
    )
    monkeypatch.setitem(
        component_commands.EXTRA_SUBCOMMANDS,
        StackComponentType.MODEL_DEPLOYER,
        {"models": (f"{module}:models", "Manage model deployments.")},
    )
    import sys

    monkeypatch.syspath_prepend(str(Path.cwd()))
    group = component_commands.component_group(StackComponentType.MODEL_DEPLOYER)
    from click.testing import CliRunner

    assert "models    Manage model deployments." in CliRunner().invoke(group, ["--help"]).output
    assert module not in sys.modules
    assert CliRunner().invoke(group, ["models"]).output == "deployments!\n"
    other = component_commands.component_group(StackComponentType.ALERTER)
    assert "models" not in other.list_commands(None)  # type: ignore[arg-type]
