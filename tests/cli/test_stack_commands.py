"""``cairn stack ...`` commands."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml

from cairn.config import find_repository

from .helpers import fail, invoke, snapshot

DEFAULTS = ("-o", "default", "-a", "default", "-m", "default")


def _store(tmp_path: Path, name: str = "other") -> str:
    invoke("artifact-store", "register", name, "--flavor=local", f"--path={tmp_path}/{name}")
    return name


def _active() -> str:
    return invoke("stack", "get").stdout


def test_list_marks_the_active_stack(tmp_path: Path) -> None:
    invoke("stack", "register", "second", "-o", "default", "-a", _store(tmp_path), "-m", "default")
    lines = [line.split() for line in invoke("stack", "list").stdout.splitlines()]
    assert lines[0] == ["ACTIVE", "STACK", "ORCHESTRATOR", "ARTIFACT_STORE", "METADATA_STORE",
                        "SECRETS_MANAGER"]  # fmt: skip
    assert lines[1] == ["*", "default", "default", "default", "default", "default"]
    assert lines[2] == ["second", "default", "other", "default", "-"]


def test_list_json() -> None:
    data = json.loads(invoke("stack", "list", "--output", "json").stdout)
    assert data == [
        {
            "name": "default",
            "uuid": data[0]["uuid"],
            "active": True,
            "components": {
                t: "default"
                for t in ("orchestrator", "artifact_store", "metadata_store", "secrets_manager")
            },
        }
    ]


def test_list_shows_optional_types_in_use(stack_with_alerter: str) -> None:
    header = invoke("stack", "list").stdout.splitlines()[0].split()
    assert header[-1] == "ALERTER"


def test_register_with_set_activates(tmp_path: Path) -> None:
    out = invoke("stack", "register", "new", "-o", "default", "-a", _store(tmp_path), "-m",
                 "default", "--set").stdout  # fmt: skip
    assert "Registered stack 'new'. It is now active." in out
    assert "Active stack: 'new' (global)." in _active()


def test_register_long_options(tmp_path: Path) -> None:
    invoke("stack", "register", "long", "--orchestrator", "default", "--artifact-store",
           "default", "--metadata-store", "default")  # fmt: skip
    assert "Stack 'long'" in invoke("stack", "describe", "long").stdout


def test_register_without_a_required_type_says_what_to_add() -> None:
    before = snapshot()
    err = fail("stack", "register", "half", "-o", "default", "-a", "default")
    assert "missing required component(s): metadata-store" in err
    assert "-m <metadata-store>" in err
    assert snapshot() == before


def test_register_with_a_missing_component() -> None:
    before = snapshot()
    err = fail("stack", "register", "s", "-o", "default", "-a", "ghost", "-m", "default")
    assert "No artifact-store named 'ghost'" in err
    assert snapshot() == before


def test_register_duplicate_name() -> None:
    before = snapshot()
    assert "A stack named 'default' already exists" in fail("stack", "register", "default",
                                                           *DEFAULTS)  # fmt: skip
    assert snapshot() == before


def test_describe_default_and_named(stack_with_alerter: str) -> None:
    lines = invoke("stack", "describe").stdout.splitlines()
    assert lines[0] == "Stack 'alerting' [active]"
    assert [line.split() for line in lines[2:]] == [
        ["orchestrator", "default", "local"],
        ["artifact_store", "default", "local"],
        ["metadata_store", "default", "sqlite"],
        ["alerter", "bell", "stateful"],
    ]
    data = json.loads(invoke("stack", "describe", "default", "--output", "json").stdout)
    assert data["active"] is False
    assert data["components"]["metadata_store"] == {"name": "default", "flavor": "sqlite"}
    assert "No stack named 'ghost'. Registered stacks: alerting, default" in fail(
        "stack", "describe", "ghost"
    )


def test_set_and_get(tmp_path: Path) -> None:
    invoke("stack", "register", "b", *DEFAULTS)
    assert "Active stack set to 'b' (global)." in invoke("stack", "set", "b").stdout
    assert "Active stack: 'b' (global)." in _active()
    assert "No stack named 'ghost'" in fail("stack", "set", "ghost")


def test_active_stack_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    invoke("stack", "register", "b", *DEFAULTS)
    monkeypatch.setenv("CAIRN_ACTIVE_STACK", "b")
    assert "Active stack: 'b' ($CAIRN_ACTIVE_STACK)." in _active()


def test_set_inside_a_repository_pins_the_stack_there(tmp_path: Path) -> None:
    invoke("stack", "register", "project", *DEFAULTS)
    repo = tmp_path / "repo"
    out = invoke("init", str(repo)).stdout
    assert f"Initialised a Cairn repository in {repo.resolve()}." in out
    assert (repo / ".cairn").is_dir()
    os.chdir(repo)
    assert "(repository " in invoke("stack", "set", "project").stdout
    assert f"Active stack: 'project' (repository {repo.resolve()})." in _active()
    assert "* " in invoke("stack", "list").stdout.splitlines()[2]
    os.chdir(tmp_path)
    assert "Active stack: 'default' (global)." in _active()
    os.chdir(repo)
    invoke("stack", "set", "project", "--global")
    os.chdir(tmp_path)
    assert "Active stack: 'project' (global)." in _active()


def test_init_with_a_pinned_stack(tmp_path: Path) -> None:
    invoke("stack", "register", "pinned", *DEFAULTS)
    out = invoke("init", "--stack", "pinned").stdout
    assert "Active stack for this repository: 'pinned'." in out
    repo = find_repository()
    assert repo is not None and repo.active_stack == "pinned"
    assert "No stack named 'ghost'" in fail("init", str(tmp_path / "x"), "--stack", "ghost")
    assert not (tmp_path / "x" / ".cairn").exists()


def test_update(tmp_path: Path) -> None:
    out = invoke("stack", "update", "default", "-a", _store(tmp_path)).stdout
    assert "Updated stack 'default': artifact-store 'other'." in out
    data = json.loads(invoke("stack", "describe", "--output", "json").stdout)
    assert data["components"]["artifact_store"]["name"] == "other"


def test_update_errors_change_nothing() -> None:
    before = snapshot()
    assert "Nothing to update" in fail("stack", "update", "default")
    assert "No artifact-store named 'ghost'" in fail("stack", "update", "default", "-a", "ghost")
    assert "No stack named 'ghost'" in fail("stack", "update", "ghost", "-a", "default")
    assert snapshot() == before


def test_remove_component(stack_with_alerter: str) -> None:
    out = invoke("stack", "remove-component", "alerting", "-al").stdout
    assert "Removed alerter from stack 'alerting'." in out
    assert (
        "alerter"
        not in json.loads(invoke("stack", "describe", "--output", "json").stdout)["components"]
    )
    before = snapshot()
    assert "Nothing to remove: pass one of -c -x -s -d -f -e -al." in fail(
        "stack", "remove-component", "alerting"
    )
    assert snapshot() == before


def test_remove_component_refuses_required_types() -> None:
    result = invoke("stack", "remove-component", "default", "-a", code=2)
    assert "No such option" in result.stderr


def test_rename_follows_the_active_stack(tmp_path: Path) -> None:
    assert "Renamed stack 'default' to 'main'." in invoke("stack", "rename", "default",
                                                          "main").stdout  # fmt: skip
    assert "Active stack: 'main' (global)." in _active()
    invoke("stack", "register", "b", *DEFAULTS)
    assert "A stack named 'b' already exists" in fail("stack", "rename", "main", "b")


def test_rename_follows_the_repository_pin(tmp_path: Path) -> None:
    invoke("stack", "register", "b", *DEFAULTS)
    invoke("init")
    invoke("stack", "set", "b")
    invoke("stack", "rename", "b", "c")
    assert "Active stack: 'c' (repository" in _active()


def test_delete(tmp_path: Path) -> None:
    invoke("stack", "register", "b", *DEFAULTS)
    assert "Deleted stack 'b'." in invoke("stack", "delete", "b", "-y").stdout
    invoke("stack", "register", "b", *DEFAULTS)
    assert invoke("stack", "delete", "b", input="n\n", code=1).stdout.count("Delete stack") == 1
    assert "b" in [s["name"] for s in json.loads(invoke("stack", "list", "--output",
                                                        "json").stdout)]  # fmt: skip
    invoke("stack", "delete", "b", input="y\n")
    assert "No stack named 'b'" in fail("stack", "delete", "b", "-y")
    assert json.loads(invoke("orchestrator", "list", "--output", "json").stdout)[0]["name"]


def test_delete_of_the_active_stack_is_refused() -> None:
    before = snapshot()
    assert "Stack 'default' is the active stack" in fail("stack", "delete", "default", "-y")
    assert snapshot() == before


def test_delete_of_the_repository_pinned_stack_is_refused() -> None:
    invoke("stack", "register", "b", *DEFAULTS)
    invoke("init")
    invoke("stack", "set", "b")
    assert "Stack 'b' is the active stack" in fail("stack", "delete", "b", "-y")


def test_up_and_down(stack_with_alerter: str) -> None:
    out = invoke("stack", "up").stdout
    assert "alerter 'bell': provisioned, resumed (running)" in out
    assert "orchestrator 'default': resumed (running)" in out  # its scheduler service
    assert "3 of 4 component(s) up; the others had nothing to change." in out
    assert "Nothing to change" in invoke("stack", "up").stdout
    out = invoke("stack", "down").stdout
    assert out.splitlines() == [
        "alerter 'bell': suspended",
        "orchestrator 'default': suspended (running)",  # runs need no scheduler
        "2 of 4 component(s) suspended; the others had nothing to change.",
    ]
    out = invoke("stack", "down", "--force").stdout
    assert "alerter 'bell': deprovisioned (not provisioned)" in out
    assert "orchestrator 'default': deprovisioned" in out  # its scheduler's state and log
    assert "already" not in out  # only what it removed
    assert "of 4 component(s) deprovisioned" in out


def test_up_continues_past_a_failure_and_shows_its_log(stack_with_alerter: str) -> None:
    invoke("alerter", "update", "bell", "--fail-on=resume")
    result = invoke("stack", "up", code=1)
    assert "artifact-store 'default': " in result.stdout  # the others were brought up
    assert "metadata-store 'default': " in result.stdout
    assert "alerter 'bell': FAILED" in result.stdout
    assert "Error: alerter 'bell' failed: RuntimeError: the daemon did not start" in result.stderr
    assert "port 4321 is already taken" in result.stderr
    assert "Error: 1 of 4 component(s) failed." in result.stderr
    assert "Traceback" not in result.output


def test_up_of_a_named_stack(tmp_path: Path) -> None:
    invoke("stack", "register", "b", *DEFAULTS)
    assert "2 of 3 component(s) up;" in invoke("stack", "up", "b").stdout
    assert "No stack named 'ghost'" in fail("stack", "up", "ghost")


def test_export_import_round_trip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _store(tmp_path, "shared")
    invoke("stack", "register", "prod", "-o", "default", "-a", "shared", "-m", "default")
    file = tmp_path / "prod.yaml"
    assert f"Exported stack 'prod' to {file}." in invoke("stack", "export", "prod",
                                                         str(file)).stdout  # fmt: skip
    data = yaml.safe_load(file.read_text())
    assert data["stack_name"] == "prod"
    assert data["components"]["artifact_store"] == {
        "name": "shared", "flavor": "local", "config": {"path": f"{tmp_path}/shared"},
    }  # fmt: skip
    out = invoke("stack", "import", "copy", str(file)).stdout
    assert "artifact-store 'shared': reused" in out
    # into another installation: every component is registered
    monkeypatch.setenv("CAIRN_CONFIG_DIR", str(tmp_path / "elsewhere"))
    out = invoke("stack", "import", "prod", str(file)).stdout
    assert "artifact-store 'shared': registered" in out
    assert "orchestrator 'default': reused" in out
    assert "metadata-store 'default-prod': registered (named 'default' in the file)" in out
    described = json.loads(invoke("stack", "describe", "prod", "--output", "json").stdout)
    assert described["components"]["artifact_store"] == {"name": "shared", "flavor": "local"}
    assert yaml.safe_load(invoke("stack", "export", "prod", "-").stdout)["components"][
        "artifact_store"
    ]["config"] == {"path": f"{tmp_path}/shared"}


def test_export_holds_references_never_values(stack_with_alerter: str, tmp_path: Path) -> None:
    invoke("stack", "update", "alerting", "-x", "default")
    invoke("alerter", "update", "bell", "--token=hunter2")
    file = tmp_path / "alerting.yaml"
    invoke("stack", "export", "alerting", str(file))
    assert "hunter2" not in file.read_text()
    exported = yaml.safe_load(file.read_text())["components"]["alerter"]["config"]["token"]
    assert exported == "{{alerter-bell-token.value}}"
    # same installation: the alerter exists with that reference, so it is reused
    assert "alerter 'bell': reused" in invoke("stack", "import", "again", str(file)).stdout
    # a changed alerter is registered again, its reference checked against the secrets manager
    invoke("alerter", "update", "bell", "--retries=9")
    assert "alerter 'bell-third': registered" in invoke("stack", "import", "third",
                                                         str(file)).stdout  # fmt: skip
    invoke("secret", "delete", "alerter-bell-token", "-y")
    before = snapshot()
    err = fail("stack", "import", "fourth", str(file))
    assert "no secret 'alerter-bell-token'" in err
    assert snapshot() == before


def test_export_masks_values_left_by_old_registries(stack_with_alerter: str) -> None:
    from cairn.enums import StackComponentType as T
    from cairn.stack.registry import MASK, SECRETS_KEY, masked_config
    from cairn.store.records import ComponentRecord

    record = ComponentRecord("u", T.ALERTER, "stateful", "old", {SECRETS_KEY: {"token": "pw"}})
    assert masked_config(record) == {"token": MASK}


def test_import_errors_change_nothing(tmp_path: Path) -> None:
    file = tmp_path / "default.yaml"
    invoke("stack", "export", "default", str(file))
    before = snapshot()
    assert "A stack named 'default' already exists" in fail("stack", "import", "default",
                                                           str(file))  # fmt: skip
    bad = tmp_path / "bad.yaml"
    bad.write_text("just: text\n")
    assert "is not a stack export" in fail("stack", "import", "x", str(bad))
    bad.write_text("components: [unclosed\n")
    assert "not valid YAML" in fail("stack", "import", "x", str(bad))
    data = yaml.safe_load(file.read_text())
    data["components"]["artifact_store"] = {"name": "new", "flavor": "nope", "config": {}}
    bad.write_text(yaml.safe_dump(data))
    assert "No artifact-store flavor named 'nope'" in fail("stack", "import", "x", str(bad))
    del data["components"]["artifact_store"]
    bad.write_text(yaml.safe_dump(data))
    assert "missing required component(s): artifact-store" in fail("stack", "import", "x", str(bad))
    assert snapshot() == before


def test_stack_help_lists_every_command() -> None:
    out = invoke("stack", "--help").stdout
    for command in ("register", "list", "describe", "set", "get", "update", "remove-component",
                    "rename", "delete", "up", "down", "export", "import"):  # fmt: skip
        assert f"  {command} " in out
    register_help = invoke("stack", "register", "--help").stdout
    for letter in ("-o", "-a", "-m", "-c", "-x", "-s", "-d", "-f", "-e", "-al"):
        assert f"{letter}, --" in register_help
