"""The feast feature store over a real Feast repository (local provider; SQLite and Redis)."""

from __future__ import annotations

import importlib.util
import json
import textwrap
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from cairn.enums import StackComponentType
from cairn.exceptions import ConfigurationError
from cairn.feature_stores import FeatureStoreError
from cairn.integrations.feast.feature_store import FeastFeatureStore
from cairn.stack import StackRegistry
from cairn.testing.stack_component_conformance import StackComponentConformance

pytestmark = pytest.mark.integration

DEFINITIONS = textwrap.dedent(
    """
    from datetime import timedelta
    from feast import Entity, FeatureService, FeatureView, Field, FileSource
    from feast.types import Float32, Int64

    driver = Entity(name="driver", join_keys=["driver_id"], description="A driver.")
    source = FileSource(name="stats_source", path="data/stats.parquet",
                        timestamp_field="event_timestamp")
    driver_stats = FeatureView(
        name="driver_stats", entities=[driver], ttl=timedelta(days=30), online=True,
        schema=[Field(name="conv_rate", dtype=Float32), Field(name="trips", dtype=Int64)],
        source=source,
    )
    driver_model = FeatureService(name="driver_model", features=[driver_stats])
    """
)
DAY0 = datetime(2026, 11, 20, tzinfo=timezone.utc)
FEATURES = ["driver_stats:conv_rate", "driver_stats:trips"]


def _stats_value(driver: int, day: int) -> tuple[float, int]:
    return round(driver / 10 + day / 100, 4), 10 * driver + day


def _write_repo(folder: Path, config: dict[str, Any] | None) -> Path:
    import pandas as pd

    (folder / "data").mkdir(parents=True, exist_ok=True)
    (folder / "driver_repo.py").write_text(DEFINITIONS)
    if config is not None:
        (folder / "feature_store.yaml").write_text(yaml.safe_dump(config))
    rows = [
        {"driver_id": d, "event_timestamp": DAY0 + timedelta(days=day),
         "conv_rate": _stats_value(d, day)[0], "trips": _stats_value(d, day)[1]}
        for d in (1, 2) for day in range(3)
    ]  # fmt: skip
    pd.DataFrame(rows).to_parquet(folder / "data" / "stats.parquet", index=False)
    return folder


def _sqlite_config(project: str = "cairn_sqlite") -> dict[str, Any]:
    return {
        "project": project, "registry": "data/registry.db", "provider": "local",
        "online_store": {"type": "sqlite", "path": "data/online.db"},
        "offline_store": {"type": "file"}, "entity_key_serialization_version": 3,
    }  # fmt: skip


# ------------------------------------------------------------ without Feast
def test_config_needs_a_repository_or_a_config() -> None:
    with pytest.raises(ValueError, match="give feast_repo"):
        FeastFeatureStore(name="fs")
    with pytest.raises(ValueError, match="needs a 'project'"):
        FeastFeatureStore(name="fs", repo_config={"provider": "local"})


def test_state_follows_the_registry_file(tmp_path: Path) -> None:
    missing = FeastFeatureStore(name="fs", feast_repo=str(tmp_path / "nowhere"))
    assert not missing.is_provisioned
    with pytest.raises(ConfigurationError, match=r"feature_store.yaml does not exist"):
        missing.config_file()
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "feature_store.yaml").write_text(yaml.safe_dump(_sqlite_config()))
    store = FeastFeatureStore(name="fs", feast_repo=str(repo))
    assert not store.is_provisioned
    (repo / "data").mkdir()
    (repo / "data" / "registry.db").write_bytes(b"")
    assert store.is_provisioned


def test_inline_config_is_written_to_the_components_folder(tmp_path: Path) -> None:
    store = FeastFeatureStore(name="fs", feast_repo=str(tmp_path), repo_config=_sqlite_config())
    path = store.config_file()
    assert path.parent == store.local_path and not (tmp_path / "feature_store.yaml").exists()
    assert yaml.safe_load(path.read_text())["project"] == "cairn_sqlite"


class TestFeastFeatureStoreConformance(StackComponentConformance):
    STATE_METHODS = False  # provisioning (feast apply) is covered below

    def make_component(self) -> Any:
        return FeastFeatureStore(name="fs", repo_config=_sqlite_config())


# ------------------------------------------------------------ with Feast
@pytest.fixture(scope="module")
def applied(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite-backed repository, applied once for the module (``feast apply``)."""
    pytest.importorskip("feast")
    repo = _write_repo(tmp_path_factory.mktemp("feast") / "repo", _sqlite_config())
    store = FeastFeatureStore(name="fs", feast_repo=str(repo))
    assert not store.is_provisioned
    store.provision()
    assert store.is_provisioned
    return repo


def _entity_df() -> Any:
    import pandas as pd

    return pd.DataFrame({
        "driver_id": [1, 2, 1],
        "event_timestamp": [DAY0 + timedelta(days=1, hours=5), DAY0 + timedelta(hours=1),
                            DAY0 + timedelta(days=2, hours=1)],
    })  # fmt: skip


@pytest.mark.slow
def test_historical_features_are_point_in_time_correct(applied: Path) -> None:
    store = FeastFeatureStore(name="fs", feast_repo=str(applied))
    frame = store.get_historical_features(_entity_df(), FEATURES).sort_values("event_timestamp")
    got = [(r.driver_id, round(float(r.conv_rate), 4), int(r.trips)) for r in frame.itertuples()]
    assert got == [(2, *_stats_value(2, 0)), (1, *_stats_value(1, 1)), (1, *_stats_value(1, 2))]
    named = store.get_historical_features(_entity_df(), "driver_model", full_feature_names=True)
    assert {"driver_stats__conv_rate", "driver_stats__trips"} <= set(named.columns)


@pytest.mark.slow
def test_listing(applied: Path) -> None:
    store = FeastFeatureStore(name="fs", feast_repo=str(applied))
    (entity,) = store.list_entities()
    assert (entity.name, entity.join_keys, entity.description) == ("driver", ["driver_id"],
                                                                    "A driver.")  # fmt: skip
    (view,) = store.list_feature_views()
    assert (view.name, view.entities, view.source) == ("driver_stats", ["driver"], "stats_source")
    assert view.ttl_seconds == 30 * 86400
    assert [f.reference for f in store.list_features()] == FEATURES
    (service,) = store.list_feature_services()
    assert (service.name, service.features) == ("driver_model", FEATURES)
    assert [(s.name, s.kind) for s in store.list_data_sources()] == [("stats_source", "FileSource")]


@pytest.mark.slow
def test_unknown_feature_is_a_feature_store_error(applied: Path) -> None:
    store = FeastFeatureStore(name="fs", feast_repo=str(applied))
    with pytest.raises(FeatureStoreError, match="Feature store 'fs': get_online_features failed"):
        store.get_online_features([{"driver_id": 1}], ["driver_stats:nope"])


def _use_store(config: dict[str, Any]) -> None:
    registry = StackRegistry()
    registry.register_component(StackComponentType.FEATURE_STORE, "fs", "feast", config)
    default = registry.store.get_stack("default").components
    registry.register_stack(
        "featured", {**default, StackComponentType.FEATURE_STORE: "fs"}, activate=True
    )


@pytest.mark.slow
def test_ready_made_steps_in_a_pipeline(applied: Path) -> None:
    import pandas as pd

    from cairn import get_step_context, pipeline, step
    from cairn.integrations.feast.steps import feast_materialize_step
    from cairn.steps.feature_store_steps import historical_features_step, online_features_step

    @step
    def entities() -> pd.DataFrame:
        assert get_step_context().stack.feature_store is not None
        return _entity_df()  # type: ignore[no-any-return]

    @pipeline(enable_cache=False)
    def features_pipeline() -> None:
        training = historical_features_step(entities(), features=FEATURES)
        loaded = feast_materialize_step(
            start_date=DAY0.isoformat(), end_date=(DAY0 + timedelta(days=5)).isoformat()
        )
        online_features_step([{"driver_id": 1}, {"driver_id": 2}, {"driver_id": 3}],
                             features=FEATURES, after=[training, loaded])  # fmt: skip

    _use_store({"feast_repo": str(applied)})
    run = features_pipeline().run()
    frame = run.steps["historical_features_step"].output.load()
    assert len(frame) == 3 and set(FEATURES[0].split(":")[1:]) <= set(frame.columns)
    assert run.steps["feast_materialize_step"].output.load() == ["driver_stats"]
    online = run.steps["online_features_step"].output.load()
    assert online["driver_id"] == [1, 2, 3]
    assert [round(v, 4) if v is not None else None for v in online["conv_rate"]] == [
        _stats_value(1, 2)[0], _stats_value(2, 2)[0], None,
    ]  # fmt: skip
    assert online["trips"] == [_stats_value(1, 2)[1], _stats_value(2, 2)[1], None]


@pytest.mark.slow
def test_cli_lists_features_entities_and_views(applied: Path) -> None:
    from cairn.cli.main import cli

    _use_store({"feast_repo": str(applied)})
    runner = CliRunner()
    views = runner.invoke(cli, ["feature-store", "views", "list"])
    assert views.exit_code == 0, views.output
    assert "driver_stats" in views.output and "stats_source" in views.output
    entities = runner.invoke(cli, ["feature-store", "entities", "list"])
    assert "driver_id" in entities.output
    features = runner.invoke(cli, ["feature-store", "features", "list", "--output", "json"])
    assert [f["reference"] for f in json.loads(features.output)] == FEATURES
    missing = runner.invoke(cli, ["feature-store", "views", "list", "--store", "nope"])
    assert missing.exit_code == 1 and "Error:" in missing.output


@pytest.mark.slow
def test_failed_apply_shows_feasts_error(tmp_path: Path) -> None:
    pytest.importorskip("feast")
    repo = _write_repo(tmp_path / "broken", _sqlite_config("cairn_broken"))
    (repo / "driver_repo.py").write_text(DEFINITIONS.replace('"driver_id"', "driver_id_undefined"))
    store = FeastFeatureStore(name="fs", feast_repo=str(repo))
    with pytest.raises(FeatureStoreError, match=r"feast apply failed \(exit code") as info:
        store.provision()
    assert "driver_id_undefined" in str(info.value)
    assert not store.is_provisioned


# ------------------------------------------------------------ Redis online store
def require_server(name: str, port: int) -> None:
    """``tests/conftest.py``'s ``require_server`` (loaded by path: ``conftest`` is ambiguous)."""
    path = Path(__file__).resolve().parents[2] / "conftest.py"
    spec = importlib.util.spec_from_file_location("_cairn_tests_root_conftest", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.require_server(name, port)


@pytest.fixture
def redis_project() -> Iterator[str]:
    require_server("Redis", 6379)
    yield f"cairn_test_{uuid.uuid4().hex[:10]}"


@pytest.mark.slow
@pytest.mark.server
def test_redis_online_store(tmp_path: Path, redis_project: str) -> None:
    pytest.importorskip("feast")
    import redis

    repo = _write_repo(tmp_path / "repo", None)
    config = {**_sqlite_config(redis_project),
              "online_store": {"type": "redis", "connection_string": "127.0.0.1:6379"}}  # fmt: skip
    store = FeastFeatureStore(name="fs", feast_repo=str(repo), repo_config=config)
    client = redis.Redis(host="127.0.0.1", port=6379)
    store.provision()
    try:
        store.materialize(DAY0, DAY0 + timedelta(days=5))
        keys = list(client.scan_iter(match=f"*{redis_project}", count=1000))
        assert len(keys) == 2  # one hash per driver
        online = store.get_online_features([{"driver_id": 2}, {"driver_id": 1}], FEATURES)
        assert [round(v, 4) for v in online["conv_rate"]] == [_stats_value(2, 2)[0],
                                                              _stats_value(1, 2)[0]]  # fmt: skip
        assert online["trips"] == [_stats_value(2, 2)[1], _stats_value(1, 2)[1]]
    finally:
        store.feast_store().teardown()  # removes this project's keys and registry
    assert list(client.scan_iter(match=f"*{redis_project}", count=1000)) == []
    client.close()
