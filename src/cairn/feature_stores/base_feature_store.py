"""Base class of feature stores: serve features for training and inference."""

from __future__ import annotations

from abc import abstractmethod
from typing import Any, ClassVar

from cairn.enums import StackComponentType
from cairn.stack.stack_component import StackComponent


class BaseFeatureStore(StackComponent):
    """Abstract class for all Cairn feature stores."""

    TYPE: ClassVar[StackComponentType] = StackComponentType.FEATURE_STORE

    @abstractmethod
    def get_historical_features(
        self, entity_df: Any, features: list[str], full_feature_names: bool = False
    ) -> Any:
        """Point-in-time correct features for the rows of ``entity_df`` (for training)."""

    @abstractmethod
    def get_online_features(
        self, entity_rows: list[dict[str, Any]], features: list[str]
    ) -> dict[str, Any]:
        """The latest feature values for ``entity_rows`` (for inference)."""
