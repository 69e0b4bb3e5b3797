"""The ``feast`` feature store: a Feast feature repository as a stack component.

Configuration: ``feast_repo``, a Feast repository folder (its Python files
define entities, sources, feature views and services; its
``feature_store.yaml`` says where the registry and the stores are), and/or
``repo_config``, the content of a ``feature_store.yaml`` given inline (Cairn
writes it to the component's own folder, never into the repository). Relative
paths in the configuration are relative to the repository folder (or, without
one, to the component's folder).

``provision`` (``cairn feature-store up``, ``cairn stack up``) runs
``feast apply`` on the repository in a child process; the component counts as
provisioned once the registry file exists. Feast is imported only inside the
methods that read features.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field, PrivateAttr, model_validator

from cairn.exceptions import ConfigurationError
from cairn.feature_stores.base_feature_store import (
    BaseFeatureStore,
    DataSourceInfo,
    EntityInfo,
    FeatureInfo,
    FeatureServiceInfo,
    FeatureStoreError,
    FeatureViewInfo,
)

CONFIG_FILE = "feature_store.yaml"
OUTPUT_TAIL_LINES = 15


class FeastFeatureStore(BaseFeatureStore):
    """Features from a Feast repository (``pip install 'cairn[feast]'``).

    Attributes:
        feast_repo: the Feast repository folder (definitions and, unless
            ``repo_config`` is given, ``feature_store.yaml``).
        repo_config: the content of a ``feature_store.yaml``, inline (e.g. a Redis
            online store: ``{"type": "redis", "connection_string": "127.0.0.1:6379"}``).
        apply_timeout: seconds ``feast apply`` may take.
    """

    FLAVOR: ClassVar[str] = "feast"

    feast_repo: str | None = None
    repo_config: dict[str, Any] | None = None
    apply_timeout: float = Field(default=600.0, gt=0)

    _store: Any = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _needs_a_repository(self) -> FeastFeatureStore:
        if not self.feast_repo and not self.repo_config:
            raise ValueError(
                "give feast_repo (a Feast repository folder) or repo_config "
                "(the content of a feature_store.yaml)"
            )
        if self.repo_config is not None and "project" not in self.repo_config:
            raise ValueError("repo_config needs a 'project' (the Feast project's name)")
        return self

    @property
    def requirements(self) -> set[str]:
        return {"feast[redis]>=0.40"}

    # ------------------------------------------------------------ repository
    @property
    def repo_path(self) -> Path:
        """The repository folder (relative paths of the configuration start here)."""
        if self.feast_repo:
            return Path(self.feast_repo).expanduser().resolve()
        return self.local_path

    def config_file(self) -> Path:
        """The ``feature_store.yaml`` Feast reads (written from ``repo_config`` if given).

        Raises:
            ConfigurationError: the repository has no ``feature_store.yaml``.
        """
        if self.repo_config is None:
            path = self.repo_path / CONFIG_FILE
            if not path.is_file():
                raise ConfigurationError(
                    f"Feature store '{self.name}': {path} does not exist; create the Feast "
                    f"repository ('feast init') or give repo_config."
                )
            return path
        import yaml

        path = self.local_path / CONFIG_FILE
        text = yaml.safe_dump(self.repo_config, sort_keys=True)
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(f".{CONFIG_FILE}.{os.getpid()}.partial")
            partial.write_text(text, encoding="utf-8")
            os.replace(partial, path)
        return path

    def _config(self) -> dict[str, Any]:
        if self.repo_config is not None:
            return dict(self.repo_config)
        import yaml

        data = yaml.safe_load(self.config_file().read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}

    def _registry_file(self) -> Path | None:
        """The registry's local file, or ``None`` when the registry is not a local file."""
        registry = self._config().get("registry", "data/registry.db")
        if isinstance(registry, dict):
            if registry.get("registry_type", "file") != "file":
                return None
            registry = registry.get("path", "")
        if not isinstance(registry, str) or not registry or "://" in registry:
            return None
        path = Path(registry).expanduser()
        return path if path.is_absolute() else self.repo_path / path

    # ------------------------------------------------------------ state
    @property
    def is_provisioned(self) -> bool:
        """Whether ``feast apply`` ran (the local registry file exists)."""
        try:
            registry = self._registry_file()
        except ConfigurationError:
            return False
        return registry is None or registry.is_file()

    def provision(self) -> None:
        """Run ``feast apply`` (see :meth:`apply`)."""
        self.apply()

    def apply(self) -> str:
        """Run ``feast apply`` on the repository; return what it printed.

        Raises:
            ConfigurationError: no repository folder to apply.
            FeatureStoreError: ``feast apply`` failed (with the end of its output).
        """
        if not self.feast_repo or not self.repo_path.is_dir():
            raise ConfigurationError(
                f"Feature store '{self.name}' has no repository folder to apply: set "
                f"feast_repo to the folder of the Feast definitions."
            )
        command = [*_feast_command(), "-c", str(self.repo_path), "-f", str(self.config_file()),
                   "apply"]  # fmt: skip
        try:
            done = subprocess.run(
                command, cwd=self.repo_path, capture_output=True, text=True,
                timeout=self.apply_timeout, check=False,
            )  # fmt: skip
        except subprocess.TimeoutExpired as exc:
            raise FeatureStoreError(
                f"Feature store '{self.name}': feast apply took more than {self.apply_timeout}s."
            ) from exc
        output = (done.stdout or "") + (done.stderr or "")
        if done.returncode != 0:
            tail = "\n".join(output.strip().splitlines()[-OUTPUT_TAIL_LINES:])
            raise FeatureStoreError(
                f"Feature store '{self.name}': feast apply failed (exit code "
                f"{done.returncode}):\n{tail}"
            )
        self._store = None  # the registry changed
        return output

    # ------------------------------------------------------------ feast
    def feast_store(self) -> Any:
        """The ``feast.FeatureStore`` of the repository (made on first use)."""
        if self._store is None:
            from feast import FeatureStore

            self._store = FeatureStore(
                repo_path=str(self.repo_path), fs_yaml_file=self.config_file()
            )
        return self._store

    def materialize(
        self,
        start_date: datetime | None = None,
        end_date: datetime | None = None,
        feature_views: list[str] | None = None,
    ) -> None:
        """Load feature values into the online store.

        Without ``start_date``, incrementally: from where the last materialization
        ended (or the views' ttl) up to ``end_date`` (default: now).
        """
        store = self.feast_store()
        end = end_date or datetime.now(timezone.utc)
        if start_date is None:
            self._call("materialize", store.materialize_incremental, end, feature_views)
        else:
            self._call("materialize", store.materialize, start_date, end, feature_views)

    def _get_historical_features(
        self, entity_df: Any, features: list[str], full_feature_names: bool
    ) -> Any:
        job = self.feast_store().get_historical_features(
            entity_df=entity_df,
            features=self._features(features),
            full_feature_names=full_feature_names,
        )
        return job.to_df()

    def _get_online_features(
        self, entity_rows: list[dict[str, Any]], features: list[str], full_feature_names: bool
    ) -> dict[str, list[Any]]:
        response = self.feast_store().get_online_features(
            features=self._features(features),
            entity_rows=entity_rows,
            full_feature_names=full_feature_names,
        )
        return {key: list(values) for key, values in response.to_dict().items()}

    def _features(self, features: list[str]) -> Any:
        """References as Feast takes them: a lone name without ``:`` is a feature service."""
        if len(features) == 1 and ":" not in features[0]:
            return self.feast_store().get_feature_service(features[0])
        return features

    def _list_entities(self) -> list[EntityInfo]:
        return [
            EntityInfo(
                name=e.name,
                join_keys=[e.join_key],
                value_type=getattr(e.value_type, "name", str(e.value_type)),
                description=e.description or "",
            )
            for e in self.feast_store().list_entities()
        ]

    def _list_feature_views(self) -> list[FeatureViewInfo]:
        views = []
        for view in self.feast_store().list_feature_views():
            source = getattr(view, "batch_source", None)
            ttl = view.ttl.total_seconds() if view.ttl else None
            features = [FeatureInfo(view=view.name, name=f.name, dtype=str(f.dtype))
                        for f in view.features]  # fmt: skip
            views.append(
                FeatureViewInfo(
                    name=view.name,
                    entities=list(view.entities),
                    features=features,
                    source=source.name if source is not None else "",
                    ttl_seconds=ttl,
                    online=bool(view.online),
                )
            )
        return views

    def _list_feature_services(self) -> list[FeatureServiceInfo]:
        return [
            FeatureServiceInfo(
                name=service.name,
                features=[
                    f"{p.name}:{f.name}"
                    for p in service.feature_view_projections
                    for f in p.features
                ],
                description=service.description or "",
            )
            for service in self.feast_store().list_feature_services()
        ]

    def _list_data_sources(self) -> list[DataSourceInfo]:
        return [
            DataSourceInfo(name=s.name, kind=type(s).__name__, path=str(getattr(s, "path", "")))
            for s in self.feast_store().list_data_sources()
        ]


def _feast_command() -> list[str]:
    """The ``feast`` command of this Python environment."""
    script = Path(sys.executable).with_name("feast")
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from feast.cli.cli import cli; sys.exit(cli())"]
