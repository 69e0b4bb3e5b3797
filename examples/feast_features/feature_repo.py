"""Create the example's Feast repository: definitions, configuration and data (no downloads).

The data is made here: hourly statistics of 20 drivers over 10 days (seeded,
so every run makes the same files), and labels saying whether a driver
completed their next trip.
"""

from __future__ import annotations

import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

#: The Feast project (Redis keys and registry entries are namespaced by it).
PROJECT = "cairn_drivers"
DRIVERS = list(range(1001, 1021))
END = datetime(2026, 11, 30, tzinfo=timezone.utc)
DAYS = 10

DEFINITIONS = textwrap.dedent(
    '''
    """Feast definitions of the example: one entity, one source, one view, one service."""

    from datetime import timedelta

    from feast import Entity, FeatureService, FeatureView, Field, FileSource
    from feast.types import Float32, Int64

    driver = Entity(name="driver", join_keys=["driver_id"], description="A driver.")

    driver_stats_source = FileSource(
        name="driver_stats_source",
        path="data/driver_stats.parquet",
        timestamp_field="event_timestamp",
    )

    driver_stats = FeatureView(
        name="driver_stats",
        entities=[driver],
        ttl=timedelta(days=30),
        schema=[
            Field(name="conv_rate", dtype=Float32),
            Field(name="acc_rate", dtype=Float32),
            Field(name="avg_daily_trips", dtype=Int64),
        ],
        online=True,
        source=driver_stats_source,
    )

    driver_model_features = FeatureService(name="driver_model", features=[driver_stats])
    '''
)

FEATURES = ["driver_stats:conv_rate", "driver_stats:acc_rate", "driver_stats:avg_daily_trips"]


def repo_config(
    online: str = "redis", redis: str = "127.0.0.1:6379", project: str = PROJECT
) -> dict[str, Any]:
    """The content of ``feature_store.yaml``: local provider, file offline store."""
    if online == "redis":
        online_store: dict[str, Any] = {"type": "redis", "connection_string": redis}
    else:
        online_store = {"type": "sqlite", "path": "data/online.db"}
    return {
        "project": project,
        "registry": "data/registry.db",
        "provider": "local",
        "online_store": online_store,
        "offline_store": {"type": "file"},
        "entity_key_serialization_version": 3,
    }


def driver_stats() -> Any:
    """Hourly statistics of every driver (a pandas DataFrame)."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(7)
    hours = pd.date_range(END - timedelta(days=DAYS), END, freq="h", inclusive="left")
    rows = []
    for driver in DRIVERS:
        skill = rng.uniform(0.2, 0.9)
        for hour in hours:
            rows.append({
                "driver_id": driver,
                "event_timestamp": hour,
                "conv_rate": float(np.clip(skill + rng.normal(0, 0.05), 0, 1)),
                "acc_rate": float(np.clip(skill + rng.normal(0, 0.1), 0, 1)),
                "avg_daily_trips": int(rng.poisson(10 + 20 * skill)),
            })  # fmt: skip
    return pd.DataFrame(rows)


def labelled_entities(rows: int = 400) -> Any:
    """Entity rows to train on: a driver, a time, and whether the next trip completed."""
    import numpy as np
    import pandas as pd

    stats = driver_stats()
    rng = np.random.default_rng(11)
    picked = stats.sample(n=rows, random_state=3).reset_index(drop=True)
    noise = rng.normal(0, 0.08, size=rows)
    completed = (picked["conv_rate"] * 0.6 + picked["acc_rate"] * 0.4 + noise) > 0.55
    return pd.DataFrame({
        "driver_id": picked["driver_id"],
        "event_timestamp": picked["event_timestamp"] + pd.Timedelta(minutes=30),
        "completed": completed.astype(int),
    })  # fmt: skip


def create_repo(folder: Path, online: str = "redis", project: str = PROJECT) -> Path:
    """Write the repository into ``folder`` (created; an existing repository is kept)."""
    import yaml

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "data").mkdir(exist_ok=True)
    definitions = folder / "driver_features.py"
    if not definitions.exists():
        definitions.write_text(DEFINITIONS.lstrip(), encoding="utf-8")
    config = folder / "feature_store.yaml"
    if not config.exists():
        config.write_text(
            yaml.safe_dump(repo_config(online, project=project), sort_keys=False), encoding="utf-8"
        )
    data = folder / "data" / "driver_stats.parquet"
    if not data.exists():
        driver_stats().to_parquet(data, index=False)
    return folder
