"""The client's artifact-version and model methods, and the logic behind their CLI commands."""

from __future__ import annotations

import pytest

from cairn import Model, save_artifact
from cairn.client import Client
from cairn.client.catalog import describe_artifact, describe_model, model_rows, split_reference
from cairn.enums import ModelStages
from cairn.exceptions import DoesNotExistError, IllegalOperationError
from cairn.models.artifact_config import LazyArtifact


def _model_with_versions(n: int) -> None:
    store = Client().metadata_store
    model = store.get_or_create_model("clf", description="a classifier", tags=["t"])
    for _ in range(n):
        store.create_model_version(model.id)


def test_artifact_versions_by_name_tag_and_id() -> None:
    first = save_artifact([1], name="data", tags=["raw"])
    save_artifact([2], name="data")
    client = Client()
    assert client.get_artifact_version("data").version == "2"
    assert client.get_artifact_version(first.id).version == "1"
    assert [v.version for v in client.list_artifact_versions("data", tag="raw")] == ["1"]
    assert [v.version for v in client.list_artifact_versions("data", size=1, page=2)] == ["1"]
    assert client.list_artifacts()[0]["versions"] == 2


def test_models_versions_and_stages() -> None:
    _model_with_versions(2)
    client = Client()
    assert client.get_model("clf").description == "a classifier"
    assert [m.name for m in client.list_models()] == ["clf"]
    latest = client.get_model_version("clf")
    assert latest.number == 2
    latest.set_stage(ModelStages.STAGING)
    assert client.get_model_version("clf", ModelStages.STAGING).id == latest.id
    assert client.get_model_version("clf", latest.id).number == 2  # by id
    assert [v.number for v in client.list_model_versions("clf", stage="staging")] == [2]
    with pytest.raises(IllegalOperationError):
        client.get_model_version("clf", 1).set_stage("staging")
    with pytest.raises(DoesNotExistError, match="no version '9'"):
        client.get_model_version("clf", 9)
    rows = model_rows(client)
    assert rows[0]["staging"] == "2" and rows[0]["versions"] == 2


def test_model_object_outside_a_step_resolves_from_the_active_stack() -> None:
    _model_with_versions(1)
    model = Model(name="clf", version="latest")
    assert model.number == 1 and model.stage is None
    with pytest.raises(DoesNotExistError, match="has no artifact 'x'"):
        model.load_artifact("x")


def test_references_prefer_existing_names_with_colons() -> None:
    save_artifact(1, name="p::s::output")
    save_artifact(2, name="plain")
    client = Client()
    assert split_reference(client, "p::s::output", "artifact") == ("p::s::output", None)
    assert split_reference(client, "plain:1", "artifact") == ("plain", "1")
    assert describe_artifact(client, "plain:1")["version"] == "1"
    _model_with_versions(1)
    assert describe_model(client, "clf")["versions"][0]["number"] == 1
    assert describe_model(client, "clf:1")["number"] == 1


def test_inside_a_pipeline_definition_artifacts_are_lazy() -> None:
    from cairn.execution.step_context import set_defining_pipeline

    token = set_defining_pipeline(True)
    try:
        ref = Client().get_artifact_version("anything", 3)
        assert ref == LazyArtifact("anything", "3")
        assert Model(name="m", version="production").get_artifact("clf") == LazyArtifact(
            "clf", None, model_name="m", model_version="production"
        )
    finally:
        set_defining_pipeline(False, token)
