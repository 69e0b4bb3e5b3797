"""The post-execution client over a recorded run (stores used as the step runner uses them)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cairn.artifact_stores import LocalArtifactStore
from cairn.client import Client, RunSequence
from cairn.enums import ExecutionStatus
from cairn.exceptions import DoesNotExistError, IllegalOperationError
from cairn.materializers import materializer_for, write_artifact
from cairn.metadata_stores import SQLiteMetadataStore

S = ExecutionStatus


class Model:
    def __init__(self, weights: list[float]) -> None:
        self.weights = weights


@pytest.fixture
def client(tmp_path: Path) -> Client:
    return Client(
        metadata_store=SQLiteMetadataStore(name="m", uri=str(tmp_path / "meta.db")),
        artifact_store=LocalArtifactStore(name="a", path=str(tmp_path / "artifacts")),
    )


def _output(client: Client, step_id: str, run: str, step: str, name: str, value: Any) -> str:
    store = client.artifact_store
    cls = materializer_for(type(value), warn=False)
    w = write_artifact(store, store.join(run, step, name), cls, value)
    art = client.metadata_store.register_artifact(
        step_id, name, w.uri, w.data_type, w.materializer, w.size, w.content_hash, w.properties
    )
    return art.id


def record_run(client: Client, name: str, cached_load: bool = False) -> None:
    """Record a two-step run as the step runner would: load -> train."""
    ms = client.metadata_store
    pipeline = ms.get_or_create_pipeline("training", {"steps": ["load", "train"]})
    run = ms.create_run(pipeline.id, name, parameters={"lr": 0.1}, stack_snapshot={"n": "d"})
    load = ms.create_step_run(run.id, "load", cache_key="load-key")
    if cached_load:
        earlier = ms.find_cached_step("load-key")
        assert earlier is not None
        data_id = ms.get_step_outputs(earlier.id)["output"].id
        ms.link_output(load.id, "output", data_id)
        ms.finish_step_run(
            load.id, S.CACHED, cached=True, cache_reason="same key", cached_from=earlier.id
        )
    else:
        data_id = _output(client, load.id, name, "load", "output", [1.0, 2.0])
        ms.finish_step_run(load.id, S.COMPLETED, cache_reason="no earlier step with this key")
    train = ms.create_step_run(run.id, "train", parameters={"lr": 0.1})
    ms.record_input(train.id, "data", data_id)
    _output(client, train.id, name, "train", "model", Model([0.5]))
    _output(client, train.id, name, "train", "accuracy", 0.9)
    ms.log_metadata(train.id, "accuracy", 0.9)
    logs = client.artifact_store.join(name, "train", "logs.txt")
    with client.artifact_store.open(logs, "wb") as f:
        f.write(b"epoch 1\n")
    ms.finish_step_run(train.id, S.COMPLETED, cache_reason="caching disabled", logs_uri=logs)
    ms.update_run_status(run.id, S.COMPLETED)


def test_navigate_to_an_artifact_and_load_it(client: Client) -> None:
    record_run(client, "first")
    record_run(client, "second", cached_load=True)
    run = client.get_pipeline("training").runs[-1]
    assert run.name == "second" and run.status == S.COMPLETED
    model = run.steps["train"].outputs["model"].load()
    assert isinstance(model, Model) and model.weights == [0.5]
    assert run.steps["train"].outputs["accuracy"].load() == 0.9
    assert run.steps["load"].output.load() == [1.0, 2.0]
    with pytest.raises(IllegalOperationError, match="outputs\\[NAME\\]"):
        _ = run.steps["train"].output


def test_run_details(client: Client) -> None:
    record_run(client, "first")
    run = client.get_run("first")
    assert run.parameters == {"lr": 0.1} and run.stack_snapshot == {"n": "d"}
    assert run.duration is not None and run.started is not None and run.finished is not None
    assert run.metadata == {"train": {"accuracy": 0.9}}
    assert run.pipeline.name == "training" and run.refresh().id == run.id
    described = run.to_dict()
    assert [s["name"] for s in described["steps"]] == ["load", "train"]
    assert described["steps"][1]["outputs"]["model"]["pickle"] is True


def test_step_details(client: Client) -> None:
    record_run(client, "first")
    record_run(client, "second", cached_load=True)
    load = client.get_run("second").steps["load"]
    assert load.cached and load.status == S.CACHED and load.cache_reason == "same key"
    train = client.get_run("second").steps["train"]
    assert not train.cached and train.cache_reason == "caching disabled"
    assert train.duration is not None and train.parameters == {"lr": 0.1}
    assert train.logs() == "epoch 1\n" and load.logs() == ""
    assert train.metadata == {"accuracy": 0.9}
    assert train.inputs["data"].id == load.outputs["output"].id
    assert train.run.name == "second"


def test_lineage(client: Client) -> None:
    record_run(client, "first")
    record_run(client, "second", cached_load=True)
    data = client.get_run("second").steps["load"].outputs["output"]
    assert data.producer is not None and data.producer.run.name == "first"
    assert [c.run.name for c in data.consumers] == ["first", "second"]
    model = client.get_run("first").steps["train"].outputs["model"]
    assert model.is_pickle and model.materializer.endswith("CloudpickleMaterializer")
    assert model.data_type.endswith(":Model") and model.size > 0
    assert client.get_artifact(model.id).uri == model.uri


def test_runs_sequence_and_pages(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    for i in range(5):
        record_run(client, f"r{i}")
    runs = client.get_pipeline("training").runs
    assert isinstance(runs, RunSequence) and len(runs) == 5
    assert runs[0].name == "r0" and runs[-1].name == "r4" and runs[-2].name == "r3"
    assert [r.name for r in runs[1:3]] == ["r1", "r2"]
    monkeypatch.setattr(RunSequence, "PAGE", 2)
    assert [r.name for r in runs] == [f"r{i}" for i in range(5)]
    with pytest.raises(IndexError):
        runs[5]
    assert [r.name for r in client.list_runs(limit=2, offset=1)] == ["r3", "r2"]
    assert [r.name for r in client.list_runs(status="failed")] == []
    assert client.count_runs("training") == 5
    assert [p.name for p in client.list_pipelines()] == ["training"]


def test_delete_run_removes_only_unshared_artifacts(client: Client) -> None:
    record_run(client, "first")
    record_run(client, "second", cached_load=True)
    first = client.get_run("first")
    shared = first.steps["load"].outputs["output"].uri
    model = first.steps["train"].outputs["model"].uri
    removed = client.delete_run("first")
    assert model in removed and shared not in removed
    assert not client.artifact_store.exists(model) and client.artifact_store.exists(shared)
    assert client.get_run("second").steps["load"].outputs["output"].load() == [1.0, 2.0]
    with pytest.raises(DoesNotExistError):
        client.get_run("first")


def test_client_uses_the_active_stack() -> None:
    client = Client()
    assert client.stack.name == "default"
    assert client.list_runs() == []
    assert isinstance(client.metadata_store, SQLiteMetadataStore)
