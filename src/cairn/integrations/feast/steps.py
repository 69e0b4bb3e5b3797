"""Ready-made steps of the Feast integration.

Example:
    >>> from cairn import pipeline
    >>> from cairn.integrations.feast.steps import feast_materialize_step
    >>> @pipeline
    ... def refresh_features():
    ...     feast_materialize_step()
"""

from __future__ import annotations

from datetime import datetime

from cairn.exceptions import StackValidationError
from cairn.integrations.feast.feature_store import FeastFeatureStore
from cairn.steps import step


def _feast_store() -> FeastFeatureStore:
    from cairn.execution.step_context import get_step_context

    store = get_step_context().stack.feature_store
    if not isinstance(store, FeastFeatureStore):
        raise StackValidationError(
            "feast_materialize_step needs a 'feast' feature store in the stack: "
            "cairn feature-store register NAME --flavor=feast --feast_repo=PATH && "
            "cairn stack update -f NAME"
        )
    return store


@step(enable_cache=False)
def feast_materialize_step(
    start_date: str | None = None,
    end_date: str | None = None,
    feature_views: list[str] | None = None,
) -> list[str]:
    """Load features into the online store of the stack's Feast feature store.

    Args:
        start_date: ISO date or time to start from (default: incrementally, from where
            the last materialization ended).
        end_date: ISO date or time to stop at (default: now).
        feature_views: the views to materialize (default: all online views).

    Returns:
        The names of the materialized feature views.
    """
    store = _feast_store()
    start = datetime.fromisoformat(start_date) if start_date else None
    end = datetime.fromisoformat(end_date) if end_date else None
    store.materialize(start, end, feature_views)
    names = feature_views or [v.name for v in store.list_feature_views() if v.online]
    return sorted(names)


__all__ = ["feast_materialize_step"]
