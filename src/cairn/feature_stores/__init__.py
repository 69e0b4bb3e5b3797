"""Feature stores: management of data and features."""

from cairn.feature_stores.base_feature_store import BaseFeatureStore

__all__ = ["BaseFeatureStore"]
