"""Behaviour every metadata store flavor must have (run for SQLite, PostgreSQL, MariaDB).

Subclass :class:`MetadataStoreContract` in a test module (name it ``Test...``) and
provide a pytest fixture ``store`` returning a fresh, empty store of your flavor::

    import pytest
    from cairn.testing.metadata_store_contract import MetadataStoreContract

    class TestMyStore(MetadataStoreContract):
        @pytest.fixture
        def store(self, tmp_path):
            return MyMetadataStore(name="m", ...)

Unlike the other suites this one uses pytest itself (fixtures, ``pytest.raises``),
so it is not imported by :mod:`cairn.testing`.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from cairn.enums import ExecutionStatus
from cairn.exceptions import (
    ConfigurationError,
    DoesNotExistError,
    EntityExistsError,
    RunNotRunningError,
)
from cairn.metadata_stores import BaseMetadataStore
from cairn.testing._catalog_contract import CatalogContract

S = ExecutionStatus


def make_run(store: BaseMetadataStore, name: str = "run-1", pipeline: str = "train") -> Any:
    p = store.get_or_create_pipeline(pipeline, {"steps": ["load", "train"]})
    return store.create_run(
        p.id,
        name,
        parameters={"lr": 0.1},
        runtime_options={"runtime_param_1": 3},
        stack_snapshot={"name": "default"},
        code_version="abc123",
        enable_cache=True,
    )


class MetadataStoreContract(CatalogContract):
    """The metadata store API, method by method (the catalog part: ``CatalogContract``)."""

    def test_pipelines(self, store: BaseMetadataStore) -> None:
        first = store.get_or_create_pipeline("train", {"v": 1})
        again = store.get_or_create_pipeline("train", {"v": 2})
        store.get_or_create_pipeline("etl", {})
        assert again.id == first.id and again.spec == {"v": 2}
        assert store.get_pipeline("train").spec == {"v": 2}
        assert store.get_pipeline(first.id).name == "train"
        assert [p.name for p in store.list_pipelines()] == ["etl", "train"]
        with pytest.raises(DoesNotExistError, match="cairn pipeline list"):
            store.get_pipeline("nope")

    def test_create_and_get_run(self, store: BaseMetadataStore) -> None:
        run = make_run(store)
        assert run.status == S.RUNNING and run.started is not None and run.finished is None
        assert run.parameters == {"lr": 0.1}
        assert run.runtime_options == {"runtime_param_1": 3}
        assert run.stack_snapshot == {"name": "default"}
        assert (run.code_version, run.enable_cache) == ("abc123", True)
        assert run.owner_pid == os.getpid() and run.pipeline_name == "train"
        assert store.get_run("run-1") == run == store.get_run(run.id)
        with pytest.raises(EntityExistsError, match="run_name"):
            make_run(store)
        with pytest.raises(DoesNotExistError):
            store.get_run("missing")

    def test_update_run_status(self, store: BaseMetadataStore) -> None:
        run = make_run(store)
        failed = store.update_run_status(run.id, S.FAILED, error="boom")
        assert failed.status == S.FAILED and failed.error == "boom"
        assert failed.finished is not None and failed.duration is not None
        with pytest.raises(DoesNotExistError):
            store.update_run_status("missing", S.COMPLETED)
        store.heartbeat(run.id)

    def test_list_and_count_runs(self, store: BaseMetadataStore) -> None:
        for i in range(5):
            run = make_run(store, f"r{i}", pipeline="a" if i % 2 else "b")
            if i < 2:
                store.update_run_status(run.id, S.COMPLETED)
        names = [r.name for r in store.list_runs()]
        assert names == ["r4", "r3", "r2", "r1", "r0"]
        assert [r.name for r in store.list_runs(newest_first=False, limit=2)] == ["r0", "r1"]
        assert [r.name for r in store.list_runs(limit=2, offset=1)] == ["r3", "r2"]
        assert [r.name for r in store.list_runs(pipeline="a")] == ["r3", "r1"]
        assert [r.name for r in store.list_runs(status="completed")] == ["r1", "r0"]
        assert [r.name for r in store.list_runs(pipeline="b", status=S.RUNNING)] == ["r4", "r2"]
        assert store.count_runs() == 5 and store.count_runs("a") == 2
        assert store.count_runs(status=S.COMPLETED) == 2
        with pytest.raises(ConfigurationError, match="use one of pending, running"):
            store.list_runs(status="done")
        with pytest.raises(DoesNotExistError):
            store.list_runs(pipeline="nope")

    def test_step_runs(self, store: BaseMetadataStore) -> None:
        run = make_run(store)
        step = store.create_step_run(
            run.id, "load", cache_key="k", parameters={"n": 3}, code_hash="h"
        )
        assert step.status == S.RUNNING and step.parameters == {"n": 3}
        with pytest.raises(EntityExistsError):
            store.create_step_run(run.id, "load")
        done = store.finish_step_run(
            step.id, S.COMPLETED, cache_reason="no earlier run", logs_uri="logs/x", attempts=2
        )
        assert done.status == S.COMPLETED and done.finished is not None
        assert (done.cache_reason, done.logs_uri, done.attempts) == ("no earlier run", "logs/x", 2)
        second = store.create_step_run(run.id, "train")
        store.finish_step_run(second.id, S.FAILED, error="Traceback...")
        steps = store.get_step_runs(run.id)
        assert [s.name for s in steps] == ["load", "train"]
        assert steps[1].error == "Traceback..." and store.get_step_run(step.id) == done
        with pytest.raises(DoesNotExistError):
            store.get_step_run("missing")
        with pytest.raises(DoesNotExistError):
            store.finish_step_run("missing", S.COMPLETED)

    def test_finished_record_made_from_the_created_one(self, store: BaseMetadataStore) -> None:
        """``finish_step_run(record=...)`` returns exactly what reading the row back gives."""
        run = make_run(store)
        for name, status, extra in (
            ("load", S.COMPLETED, {"cache_reason": "no earlier run", "attempts": 2}),
            ("train", S.FAILED, {"error": "Traceback...", "logs_uri": "logs/train.txt"}),
            ("test", S.CACHED, {"cached": True, "cached_from": "other", "cache_reason": "r"}),
        ):
            created = store.create_step_run(run.id, name, cache_key="k", parameters={"n": 3})
            done = store.finish_step_run(created.id, status, record=created, **extra)
            assert done == store.get_step_run(created.id)
        other = store.create_step_run(run.id, "other")
        with pytest.raises(RunNotRunningError):  # an ended step is never finished again
            store.finish_step_run(created.id, S.COMPLETED, record=created)
        store.finish_step_run(other.id, S.COMPLETED)

    def test_find_cached_step(self, store: BaseMetadataStore) -> None:
        run = make_run(store)
        assert store.find_cached_step("key") is None
        running = store.create_step_run(run.id, "a", cache_key="key")
        assert store.find_cached_step("key") is None  # not finished: outputs incomplete
        failed = store.create_step_run(run.id, "b", cache_key="key")
        store.finish_step_run(failed.id, S.FAILED)
        assert store.find_cached_step("key") is None
        store.finish_step_run(running.id, S.COMPLETED)
        newer = store.create_step_run(run.id, "c", cache_key="key")
        store.finish_step_run(newer.id, S.CACHED, cached=True, cached_from=running.id)
        found = store.find_cached_step("key")
        assert found is not None and found.id == newer.id and found.cached_from == running.id
        assert store.find_cached_step("") is None

    def test_artifacts_and_lineage(self, store: BaseMetadataStore) -> None:
        run = make_run(store)
        producer = store.create_step_run(run.id, "load")
        art = store.register_artifact(
            producer.id,
            "data",
            "/store/a",
            "pandas.core.frame:DataFrame",
            "m:M",
            size=10,
            content_hash="xxh3_128:ff",
            properties={"shape": [2, 3]},
        )
        assert store.get_artifact(art.id) == art and art.properties == {"shape": [2, 3]}
        assert store.get_step_outputs(producer.id) == {"data": art}
        consumer = store.create_step_run(run.id, "train")
        store.record_input(consumer.id, "df", art.id)
        assert store.get_step_inputs(consumer.id) == {"df": art}
        assert [s.id for s in store.get_artifact_consumers(art.id)] == [consumer.id]
        with pytest.raises(EntityExistsError):
            store.record_input(consumer.id, "df", art.id)
        reuse = store.create_step_run(run.id, "load_2")
        store.link_output(reuse.id, "data", art.id)
        assert store.get_step_outputs(reuse.id)["data"].producer_step_run_id == producer.id
        with pytest.raises(DoesNotExistError):
            store.get_artifact("missing")

    def test_metadata(self, store: BaseMetadataStore) -> None:
        run = make_run(store)
        step = store.create_step_run(run.id, "train")
        store.log_metadata(step.id, "accuracy", 0.93)
        store.log_metadata(step.id, "epochs", 3)
        store.log_metadata(step.id, "note", "good")
        store.log_metadata(step.id, "curve", [0.5, 0.9])
        store.log_metadata(step.id, "epochs", 4)  # replaces
        got = store.get_metadata(step.id)
        assert {k: (e.value, e.kind) for k, e in got.items()} == {
            "accuracy": (0.93, "number"),
            "curve": ([0.5, 0.9], "json"),
            "epochs": (4, "number"),
            "note": ("good", "text"),
        }
        with pytest.raises(DoesNotExistError):
            store.log_metadata("missing", "k", 1)

    def test_delete_run_keeps_shared_artifacts(self, store: BaseMetadataStore) -> None:
        first = make_run(store, "first")
        step = store.create_step_run(first.id, "load")
        shared = store.register_artifact(step.id, "shared", "/s/shared", "t", "m")
        only = store.register_artifact(step.id, "only", "/s/only", "t", "m")
        second = make_run(store, "second")
        cached = store.create_step_run(second.id, "load")
        store.link_output(cached.id, "shared", shared.id)
        store.log_metadata(step.id, "k", 1)
        assert store.delete_run("first") == ["/s/only"]
        with pytest.raises(DoesNotExistError):
            store.get_run("first")
        with pytest.raises(DoesNotExistError):
            store.get_artifact(only.id)
        kept = store.get_artifact(shared.id)
        assert kept.producer_step_run_id is None
        assert store.get_step_outputs(cached.id)["shared"].id == shared.id
        assert store.count_runs() == 1

    def test_batch_commits_together_or_not_at_all(self, store: BaseMetadataStore) -> None:
        run = make_run(store)
        with store.batch():
            step = store.create_step_run(run.id, "a")
            store.register_artifact(step.id, "output", "/s/a", "t", "m")
            with store.batch():  # nested batches join the outer one
                store.log_metadata(step.id, "k", 1)
            done = store.finish_step_run(step.id, S.COMPLETED)  # reads see the batch
            assert done.status == S.COMPLETED
        assert store.get_step_outputs(step.id)["output"].uri == "/s/a"
        with pytest.raises(RuntimeError), store.batch():
            store.create_step_run(run.id, "b")
            raise RuntimeError("abort")
        assert [s.name for s in store.get_step_runs(run.id)] == ["a"]
