"""``cairn artifact`` and ``cairn model``: list, versions, describe, stage (text and JSON)."""

from __future__ import annotations

import json

from cairn import save_artifact
from cairn.client import Client

from .helpers import fail, invoke


def test_artifact_commands() -> None:
    assert "No artifact" in invoke("artifact", "list").output
    save_artifact([1], name="data", tags=["raw"], run_metadata={"rows": 1})
    save_artifact([1, 2], name="data")
    save_artifact(3, name="p::s::output")
    listing = invoke("artifact", "list").output
    assert "data" in listing and "p::s::output" in listing
    names = json.loads(invoke("artifact", "list", "--output", "json").output)
    assert [(n["name"], n["versions"]) for n in names] == [("data", 2), ("p::s::output", 1)]
    rows = json.loads(invoke("artifact", "versions", "data", "--output", "json").output)
    assert [r["version"] for r in rows] == ["2", "1"]
    tagged = json.loads(invoke("artifact", "list", "--tag", "raw", "--output", "json").output)
    assert [r["version"] for r in tagged] == ["1"]
    described = json.loads(invoke("artifact", "describe", "data:1", "--output", "json").output)
    assert described["run_metadata"] == {"rows": 1} and described["tags"] == ["raw"]
    text = invoke("artifact", "describe", "p::s::output").output
    assert "Artifact p::s::output:1" in text
    assert "cairn artifact versions data" in fail("artifact", "describe", "data:9")
    assert "cairn artifact list" in fail("artifact", "versions", "nope")


def test_model_commands() -> None:
    assert "No model" in invoke("model", "list").output
    store = Client().metadata_store
    model = store.get_or_create_model("clf", tags=["t"])
    store.create_model_version(model.id)
    store.create_model_version(model.id)
    assert "now in stage production" in invoke("model", "stage", "clf", "1", "production").output
    error = fail("model", "stage", "clf", "2", "production")
    assert "--force" in error
    row = json.loads(
        invoke("model", "stage", "clf", "2", "production", "--force", "--output", "json").output
    )
    assert row["stage"] == "production"
    listed = json.loads(invoke("model", "list", "--output", "json").output)
    assert listed[0]["production"] == "2" and listed[0]["versions"] == 2
    versions = json.loads(invoke("model", "versions", "clf", "--output", "json").output)
    assert [(v["number"], v["stage"]) for v in versions] == [(2, "production"), (1, "archived")]
    assert "production" in invoke("model", "versions", "clf").output
    described = json.loads(invoke("model", "describe", "clf:production", "--output", "json").output)
    assert described["number"] == 2
    assert "version 1: stage archived" in invoke("model", "describe", "clf").output
    assert "cairn model list" in fail("model", "describe", "nope")
