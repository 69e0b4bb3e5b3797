"""`cairn secret ...` and the secret-related options of component and stack commands."""

from __future__ import annotations

import json
from pathlib import Path

from .helpers import fail, invoke, snapshot

VALUE = "s3cr3t-Value!"


def test_register_get_list_update_delete(tmp_path: Path) -> None:
    out = invoke("secret", "register", "db", "-s", "basic_auth", "--username=me",
                 f"--password={VALUE}").stdout  # fmt: skip
    assert "Registered secret 'db' (basic_auth; keys: password, username)" in out
    assert "{{db.KEY}}" in out and VALUE not in out
    shown = invoke("secret", "get", "db").stdout
    assert "password: ********" in shown and VALUE not in shown
    data = json.loads(invoke("secret", "get", "db", "--output", "json").stdout)
    assert data == {"name": "db", "schema": "basic_auth", "secrets_manager": "default",
                    "values": {"password": "********", "username": "********"}}  # fmt: skip
    assert VALUE in invoke("secret", "get", "db", "--reveal").stdout
    assert invoke("secret", "list").stdout.split() == ["NAME", "db"]
    assert json.loads(invoke("secret", "list", "--output", "json").stdout)[0]["name"] == "db"
    invoke("secret", "update", "db", "--password=other")
    assert "other" in invoke("secret", "get", "db", "--reveal").stdout
    assert "password: missing" in fail("secret", "update", "db", "--remove-key", "password")
    invoke("secret", "delete", "db", "--yes")
    assert "No secrets in secrets manager 'default'." in invoke("secret", "list").stdout
    assert "No secret named 'db'" in fail("secret", "get", "db")


def test_values_from_files_and_prompts(tmp_path: Path) -> None:
    (tmp_path / "pw.txt").write_text(VALUE + "\n")
    invoke("secret", "register", "f", f"--password=@{tmp_path / 'pw.txt'}")
    assert f"password: {VALUE}" in invoke("secret", "get", "f", "--reveal").stdout
    result = invoke("secret", "register", "p", "-i", "-s", "basic_auth",
                    input=f"me\n{VALUE}\n")  # fmt: skip
    assert VALUE not in result.output  # hidden input is not echoed
    assert f"password: {VALUE}" in invoke("secret", "get", "p", "--reveal").stdout
    result = invoke("secret", "register", "q", "-i", input=f"token\n{VALUE}\n\n")
    assert VALUE not in result.output
    assert "token: ********" in invoke("secret", "get", "q").stdout
    err = fail("secret", "register", "g", f"--k=@{tmp_path / 'missing'}")
    assert "Cannot read the value of --k" in err


def test_errors_are_one_line_without_values() -> None:
    before = snapshot()
    assert "pass secret values as --KEY=VALUE" in fail("secret", "register", "x", "positional")
    assert "Invalid secret name '../x'" in fail("secret", "register", "../x", "--k=v")
    err = fail("secret", "register", "x", "-s", "basic_auth", f"--username={VALUE}")
    assert "password: missing" in err and VALUE not in err
    assert "Unknown secret schema 'nope'" in fail("secret", "register", "x", "-s", "nope", "--k=v")
    assert "needs at least one key" in fail("secret", "register", "x")
    assert snapshot() == before


def test_a_stack_without_secrets_manager_is_named() -> None:
    invoke("stack", "remove-component", "default", "-x")
    err = fail("secret", "list")
    assert "The active stack 'default' has no secrets manager" in err
    assert "cairn stack update default -x default" in err


def test_component_register_moves_plain_values_and_verifies(stateful: str) -> None:
    result = invoke("alerter", "register", "a", "--flavor=stateful", f"--token={VALUE}")
    assert "Stored the secret value(s)" in result.output and VALUE not in result.output
    assert "token -> {{alerter-a-token.value}}" in result.output
    err = fail("alerter", "register", "b", "--flavor=stateful", "--token={{nope.token}}")
    assert "no secret 'nope'" in err and "--no-verify" in err
    invoke("alerter", "register", "b", "--flavor=stateful", "--token={{nope.token}}",
           "--no-verify")  # fmt: skip
    assert "no key 'x'" in fail("alerter", "update", "a", "--token={{alerter-a-token.x}}")
    invoke("alerter", "update", "a", "--token={{alerter-a-token.x}}", "--no-verify")


def test_stack_validate(stateful: str) -> None:
    assert "Stack 'default' is valid." in invoke("stack", "validate").stdout
    invoke("alerter", "register", "a", "--flavor=stateful", "--token={{gone.k}}", "--no-verify")
    invoke("stack", "update", "default", "-al", "a")
    err = fail("stack", "validate", "default")
    assert "refers to secrets that cannot be found" in err and "{{gone.k}}" in err
    invoke("secret", "register", "gone", f"--k={VALUE}")
    out = invoke("stack", "validate").stdout
    assert "is valid" in out and VALUE not in out


def test_debug_traceback_of_a_failing_command_holds_no_value(stateful: str) -> None:
    invoke("alerter", "register", "a", "--flavor=stateful", f"--token={VALUE}")
    result = invoke("--debug", "alerter", "update", "a", "--retries=notanumber", code=1)
    assert "Traceback" in result.output and VALUE not in result.output
    result = invoke("--debug", "alerter", "update", "a", "--token={{bad}}", code=1)
    assert "Invalid secret reference" in result.output and VALUE not in result.output
