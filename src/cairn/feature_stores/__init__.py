"""Feature stores: management of data and features."""

from cairn.feature_stores.base_feature_store import (
    BaseFeatureStore,
    DataSourceInfo,
    EntityInfo,
    FeatureInfo,
    FeatureServiceInfo,
    FeatureStoreError,
    FeatureViewInfo,
)

__all__ = [
    "BaseFeatureStore",
    "DataSourceInfo",
    "EntityInfo",
    "FeatureInfo",
    "FeatureServiceInfo",
    "FeatureStoreError",
    "FeatureViewInfo",
]
