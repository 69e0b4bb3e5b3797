"""Ready-made steps that read features from the stack's feature store (any flavor).

Example:
    >>> from cairn import pipeline
    >>> from cairn.steps.feature_store_steps import historical_features_step
    >>> @pipeline
    ... def training():
    ...     entities = load_entities()  # a DataFrame: join keys + event_timestamp
    ...     data = historical_features_step(entities, features=["driver_stats:conv_rate"])
    ...     train(data)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cairn.exceptions import StackValidationError
from cairn.execution.step_context import get_step_context
from cairn.steps.base_step import step

if TYPE_CHECKING:
    from cairn.feature_stores import BaseFeatureStore


def _feature_store() -> BaseFeatureStore:
    context = get_step_context()
    store = context.stack.feature_store
    if store is None:
        raise StackValidationError(
            f"Step '{context.step_name}' needs a feature store in stack '{context.stack.name}': "
            "cairn feature-store register NAME --flavor=feast ... && cairn stack update -f NAME"
        )
    return store


@step(enable_cache=False)
def historical_features_step(
    entity_df: Any, features: list[str], full_feature_names: bool = False
) -> Any:
    """Point-in-time correct features for the rows of ``entity_df`` (training data).

    Args:
        entity_df: an upstream step's DataFrame of join keys and ``event_timestamp``.
        features: ``view:feature`` references, or one feature service's name.
        full_feature_names: name columns ``view__feature``.
    """
    return _feature_store().get_historical_features(entity_df, features, full_feature_names)


@step(enable_cache=False)
def online_features_step(
    entity_rows: list[dict[str, Any]], features: list[str], full_feature_names: bool = False
) -> dict[str, list[Any]]:
    """The latest feature values of ``entity_rows`` from the online store (inference)."""
    return _feature_store().get_online_features(entity_rows, features, full_feature_names)


__all__ = ["historical_features_step", "online_features_step"]
