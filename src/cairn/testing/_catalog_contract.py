"""The catalog part of the metadata store contract: artifact versions, models, metadata.

Mixed into :class:`~cairn.testing.metadata_store_contract.MetadataStoreContract`, so it
runs on SQLite, PostgreSQL and MariaDB.
"""

from __future__ import annotations

import pytest

from cairn.exceptions import (
    ConfigurationError,
    DoesNotExistError,
    EntityExistsError,
    IllegalOperationError,
)
from cairn.metadata_stores import BaseMetadataStore


def _artifact(store: BaseMetadataStore, uri: str = "mem://a") -> str:
    return store.register_standalone_artifact(uri, "builtins:int", "m:M", size=3).id


class CatalogContract:
    """Artifact versions, models and model versions, metadata of runs/artifacts/versions."""

    def test_artifact_versions_number_per_name(self, store: BaseMetadataStore) -> None:
        first = store.register_artifact_version(_artifact(store), "data", tags=["b", "a", "a"])
        given = store.register_artifact_version(_artifact(store), "data", version="2")
        third = store.register_artifact_version(_artifact(store), "data")
        other = store.register_artifact_version(_artifact(store), "other")
        assert (first.version, first.number, first.tags) == ("1", 1, ("a", "b"))
        assert (given.version, given.number) == ("2", None)
        assert third.version == "3"  # "2" was taken by the given version
        assert other.version == "1"
        assert store.get_artifact_version("data").id == third.id
        assert store.get_artifact_version("data", 1).id == first.id
        assert store.get_artifact_version("data", "2").artifact.uri == "mem://a"
        assert [v.version for v in store.list_artifact_versions("data")] == ["3", "2", "1"]
        assert [v.id for v in store.list_artifact_versions(tag="a")] == [first.id]
        assert store.list_artifact_versions(tag="nope") == []
        assert [(n, c, v.version) for n, c, v in store.list_artifact_names()] == [
            ("data", 3, "3"),
            ("other", 1, "1"),
        ]
        assert store.find_artifact_version(first.id) == first
        assert store.find_artifact_version(_artifact(store)) is None

    def test_artifact_version_errors(self, store: BaseMetadataStore) -> None:
        store.register_artifact_version(_artifact(store), "data", version="v1")
        with pytest.raises(EntityExistsError, match="exists already"):
            store.register_artifact_version(_artifact(store), "data", version="v1")
        with pytest.raises(DoesNotExistError, match="cairn artifact versions data"):
            store.get_artifact_version("data", "v9")
        with pytest.raises(DoesNotExistError):
            store.get_artifact_version("missing")
        for bad in ("", "a/b", " x", "x\n"):
            with pytest.raises(ConfigurationError, match="Invalid artifact name"):
                store.register_artifact_version(_artifact(store), bad)
        with pytest.raises(ConfigurationError, match="Invalid artifact version"):
            store.register_artifact_version(_artifact(store), "data", version="1:2")
        assert [v.version for v in store.list_artifact_versions("data")] == ["v1"]

    def test_artifact_tags_and_metadata(self, store: BaseMetadataStore) -> None:
        version = store.register_artifact_version(_artifact(store), "data", tags=["x"])
        assert store.add_artifact_tags(version.id, ["y", "x"]).tags == ("x", "y")
        store.log_entity_metadata("artifact", version.id, "rows", 10)
        store.log_entity_metadata("artifact", version.id, "rows", 12)
        store.log_entity_metadata("artifact", version.id, "cols", {"a": [1, 2]})
        values = {k: e.value for k, e in store.get_entity_metadata("artifact", version.id).items()}
        assert values == {"rows": 12, "cols": {"a": [1, 2]}}
        with pytest.raises(DoesNotExistError):
            store.log_entity_metadata("artifact", "no-such-id", "k", 1)
        with pytest.raises(ConfigurationError, match="metadata owner"):
            store.log_entity_metadata("pipeline", version.id, "k", 1)

    def test_tags_with_like_wildcards_quotes_and_accents_match_exactly(
        self, store: BaseMetadataStore
    ) -> None:
        """Tag filters are pre-filtered in SQL (LIKE over the JSON list) and then exact."""
        odd = ["50%", "a_b", 'say "hi"', "café", "1.0 [rc]"]
        tagged = store.register_artifact_version(_artifact(store), "odd", tags=odd)
        plain = store.register_artifact_version(_artifact(store), "odd", tags=["50", "aXb"])
        for tag in odd:
            assert [v.id for v in store.list_artifact_versions(tag=tag)] == [tagged.id], tag
            assert [v.id for v in store.list_artifact_versions("odd", tag=tag)] == [tagged.id]
        for near in ("5", "a%b", "caf", "say", "a_", "1.0"):
            assert store.list_artifact_versions(tag=near) == [], near
        assert [v.id for v in store.list_artifact_versions(tag="aXb")] == [plain.id]
        with pytest.raises(ConfigurationError, match="metadata owner"):
            store.get_entity_metadata("pipeline", tagged.id)

    def test_run_metadata(self, store: BaseMetadataStore) -> None:
        from cairn.testing.metadata_store_contract import make_run

        run = make_run(store)
        store.log_entity_metadata("run", run.id, "note", "hello")
        assert store.get_entity_metadata("run", run.id)["note"].value == "hello"
        store.delete_run(run.id)
        assert store.get_entity_metadata("run", run.id) == {}

    def test_models_and_versions(self, store: BaseMetadataStore) -> None:
        model = store.get_or_create_model("churn", description="d", tags=["t"])
        assert store.get_or_create_model("churn").id == model.id
        assert store.get_or_create_model("churn", tags=["u"]).tags == ("t", "u")
        assert store.get_model(model.id).name == "churn"
        assert [m.name for m in store.list_models()] == ["churn"]
        v1 = store.create_model_version(model.id)
        named = store.create_model_version(model.id, name="rf")
        assert (v1.name, v1.number, named.name, named.number) == ("1", 1, "rf", 2)
        assert store.get_model_version("churn").id == named.id
        assert store.get_model_version("churn", "latest").id == named.id
        assert store.get_model_version("churn", 1).id == v1.id
        assert store.get_model_version("churn", "rf").id == named.id
        assert store.get_model_version_by_id(v1.id) == v1
        with pytest.raises(EntityExistsError, match="version='rf'"):
            store.create_model_version(model.id, name="rf")
        with pytest.raises(ConfigurationError, match="cannot be called"):
            store.create_model_version(model.id, name="production")
        with pytest.raises(DoesNotExistError, match="cairn model versions churn"):
            store.get_model_version("churn", "production")
        with pytest.raises(DoesNotExistError, match="cairn model list"):
            store.get_model("nope")
        assert [v.number for v in store.list_model_versions("churn")] == [2, 1]

    def test_one_version_per_stage(self, store: BaseMetadataStore) -> None:
        model = store.get_or_create_model("churn")
        v1, v2 = store.create_model_version(model.id), store.create_model_version(model.id)
        assert store.set_model_version_stage(v1.id, "production").stage == "production"
        with pytest.raises(IllegalOperationError, match="force=True"):
            store.set_model_version_stage(v2.id, "production")
        assert store.get_model_version("churn", "production").id == v1.id
        store.set_model_version_stage(v2.id, "production", force=True)
        assert store.get_model_version("churn", "production").id == v2.id
        assert store.get_model_version_by_id(v1.id).stage == "archived"
        store.set_model_version_stage(v1.id, "staging")
        v3 = store.create_model_version(model.id)
        store.set_model_version_stage(v3.id, "archived")  # any number may be archived
        store.set_model_version_stage(v1.id, "none")
        assert store.get_model_version_by_id(v1.id).stage is None
        assert [v.id for v in store.list_model_versions("churn", stage="archived")] == [v3.id]
        with pytest.raises(ConfigurationError, match="Unknown model stage"):
            store.set_model_version_stage(v1.id, "prod")

    def test_model_version_links(self, store: BaseMetadataStore) -> None:
        from cairn.testing.metadata_store_contract import make_run

        version = store.create_model_version(store.get_or_create_model("churn").id)
        model_artifact = store.register_artifact_version(_artifact(store), "clf")
        data = store.register_artifact_version(_artifact(store), "dataset")
        store.link_artifact_to_model_version(version.id, model_artifact.id, "model")
        store.link_artifact_to_model_version(version.id, data.id)
        store.link_artifact_to_model_version(version.id, data.id)  # idempotent
        links = store.get_model_version_artifacts(version.id)
        assert [(link.kind, link.artifact.name) for link in links] == [
            ("model", "clf"),
            ("data", "dataset"),
        ]
        run = make_run(store)
        store.link_run_to_model_version(version.id, run.id)
        store.link_run_to_model_version(version.id, run.id)
        assert store.get_model_version_runs(version.id) == [run.id]
        store.log_entity_metadata("model_version", version.id, "auc", 0.8)
        assert store.get_entity_metadata("model_version", version.id)["auc"].value == 0.8
        with pytest.raises(ConfigurationError, match="link kind"):
            store.link_artifact_to_model_version(version.id, data.id, "weights")

    def test_deleting_a_run_keeps_the_model_artifacts_of_model_versions(
        self, store: BaseMetadataStore
    ) -> None:
        from cairn.testing.metadata_store_contract import make_run

        run = make_run(store)
        step = store.create_step_run(run.id, "train")
        model_file = store.register_artifact(step.id, "clf", "mem://clf", "t", "m")
        data_file = store.register_artifact(step.id, "data", "mem://data", "t", "m")
        store.register_artifact_version(model_file.id, "clf", is_model_artifact=True)
        store.register_artifact_version(data_file.id, "data")
        version = store.create_model_version(store.get_or_create_model("churn").id)
        store.link_artifact_to_model_version(version.id, model_file.id, "model")
        store.link_artifact_to_model_version(version.id, data_file.id, "data")
        store.link_run_to_model_version(version.id, run.id)
        assert store.delete_run(run.id) == ["mem://data"]
        assert [link.artifact.name for link in store.get_model_version_artifacts(version.id)] == [
            "clf"
        ]
        assert store.get_artifact_version("clf").artifact.producer_step_run_id is None
        assert store.get_model_version_runs(version.id) == []

    def test_concurrent_writers_get_distinct_version_numbers(
        self, store: BaseMetadataStore
    ) -> None:
        import threading

        ids = [_artifact(store, f"mem://c{i}") for i in range(12)]
        errors: list[BaseException] = []

        def register(chunk: list[str]) -> None:
            try:
                for artifact_id in chunk:
                    store.register_artifact_version(artifact_id, "shared")
            except BaseException as exc:  # reported below
                errors.append(exc)

        threads = [threading.Thread(target=register, args=(ids[i::4],)) for i in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        numbers = sorted(v.number or 0 for v in store.list_artifact_versions("shared"))
        assert numbers == list(range(1, 13))
