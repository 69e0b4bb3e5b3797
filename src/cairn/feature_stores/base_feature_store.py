"""Base class of feature stores: serve features for training and inference.

A flavor implements the underscore primitives; the public methods check their
arguments and wrap the flavor's errors (``FeatureStoreError`` naming the store).
What the listing methods return is plain data, so the CLI prints it without
knowing the flavor.

Example:
    >>> from cairn import get_step_context, step
    >>> @step
    ... def training_data(entity_df: Any) -> Any:
    ...     store = get_step_context().stack.feature_store
    ...     return store.get_historical_features(entity_df, ["driver_stats:conv_rate"])
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from cairn.enums import StackComponentType
from cairn.exceptions import CairnError, ConfigurationError
from cairn.stack.stack_component import StackComponent


class FeatureStoreError(CairnError):
    """A feature store could not answer (its data or server), naming the store."""


class _Info(BaseModel):
    model_config = ConfigDict(frozen=True)


class EntityInfo(_Info):
    """An entity: what features are keyed by (a driver, a customer)."""

    name: str
    join_keys: list[str]
    value_type: str = ""
    description: str = ""


class FeatureInfo(_Info):
    """One feature of a feature view (``view:name`` when fetching it)."""

    view: str
    name: str
    dtype: str = ""

    @property
    def reference(self) -> str:
        """``view:name``, as ``get_*_features`` take it."""
        return f"{self.view}:{self.name}"


class FeatureViewInfo(_Info):
    """A feature view: features of some entities read from one data source."""

    name: str
    entities: list[str]
    features: list[FeatureInfo]
    source: str = ""
    ttl_seconds: float | None = None
    online: bool = True


class FeatureServiceInfo(_Info):
    """A named set of features (a model's inputs)."""

    name: str
    features: list[str]
    description: str = ""


class DataSourceInfo(_Info):
    """Where a feature view reads its data from."""

    name: str
    kind: str
    path: str = ""


class BaseFeatureStore(StackComponent):
    """Abstract class for all Cairn feature stores."""

    TYPE: ClassVar[StackComponentType] = StackComponentType.FEATURE_STORE

    # ------------------------------------------------------------ features
    def get_historical_features(
        self, entity_df: Any, features: Sequence[str], full_feature_names: bool = False
    ) -> Any:
        """Point-in-time correct features for the rows of ``entity_df`` (for training).

        Args:
            entity_df: a pandas DataFrame with the entities' join keys and an
                ``event_timestamp`` column.
            features: ``view:feature`` references (or a feature service's name, if
                the flavor supports it).
            full_feature_names: name columns ``view__feature`` instead of ``feature``.

        Returns:
            A pandas DataFrame: ``entity_df`` with one column per feature.
        """
        return self._call(
            "get_historical_features",
            self._get_historical_features,
            entity_df,
            _references(features),
            full_feature_names,
        )

    def get_online_features(
        self,
        entity_rows: Sequence[dict[str, Any]],
        features: Sequence[str],
        full_feature_names: bool = False,
    ) -> dict[str, list[Any]]:
        """The latest feature values for ``entity_rows`` (for inference).

        Returns:
            One list per join key and feature, in the order of ``entity_rows``.
        """
        rows = [dict(row) for row in entity_rows]
        if not rows:
            raise ConfigurationError(f"{self}: get_online_features needs at least one entity row.")
        return self._call(  # type: ignore[no-any-return]
            "get_online_features",
            self._get_online_features,
            rows,
            _references(features),
            full_feature_names,
        )

    # ------------------------------------------------------------ listing
    def list_entities(self) -> list[EntityInfo]:
        """The entities the store knows."""
        return self._call("list_entities", self._list_entities)  # type: ignore[no-any-return]

    def list_feature_views(self) -> list[FeatureViewInfo]:
        """The feature views the store knows."""
        return self._call("list_feature_views", self._list_feature_views)  # type: ignore[no-any-return]

    def list_feature_services(self) -> list[FeatureServiceInfo]:
        """The feature services the store knows."""
        return self._call("list_feature_services", self._list_feature_services)  # type: ignore[no-any-return]

    def list_data_sources(self) -> list[DataSourceInfo]:
        """The data sources the store knows."""
        return self._call("list_data_sources", self._list_data_sources)  # type: ignore[no-any-return]

    def list_features(self) -> list[FeatureInfo]:
        """Every feature of every feature view (``view:name``)."""
        return [feature for view in self.list_feature_views() for feature in view.features]

    def _call(self, what: str, method: Any, *args: Any) -> Any:
        try:
            return method(*args)
        except CairnError:
            raise
        except Exception as exc:
            raise FeatureStoreError(
                f"Feature store '{self.name}': {what} failed: {type(exc).__name__}: {exc}"
            ) from exc

    # ------------------------------------------------------------ primitives
    @abstractmethod
    def _get_historical_features(
        self, entity_df: Any, features: list[str], full_feature_names: bool
    ) -> Any: ...

    @abstractmethod
    def _get_online_features(
        self, entity_rows: list[dict[str, Any]], features: list[str], full_feature_names: bool
    ) -> dict[str, list[Any]]: ...

    @abstractmethod
    def _list_entities(self) -> list[EntityInfo]: ...

    @abstractmethod
    def _list_feature_views(self) -> list[FeatureViewInfo]: ...

    def _list_feature_services(self) -> list[FeatureServiceInfo]:
        return []

    def _list_data_sources(self) -> list[DataSourceInfo]:
        return []


def _references(features: Sequence[str]) -> list[str]:
    if isinstance(features, str):
        features = [features]
    refs = [str(f) for f in features]
    if not refs:
        raise ConfigurationError("Give at least one feature ('view:feature').")
    return refs
