"""``cairn feature-store features|entities|views list`` on the active stack's feature store.

``--store NAME`` names another registered feature store. The flavor's library
(Feast) is imported only when one of these commands runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from cairn.cli.common import name_or_active, registry
from cairn.cli.output import echo_json, echo_table, output_option
from cairn.enums import StackComponentType

if TYPE_CHECKING:
    from cairn.feature_stores import BaseFeatureStore

__all__ = ["entities", "features", "views"]

_T = StackComponentType.FEATURE_STORE
store_option = click.option(
    "--store", "-s", "store_name", default=None,
    help="Feature store to use (default: the active stack's).",
)  # fmt: skip


def _store(name: str | None) -> BaseFeatureStore:
    from cairn.feature_stores import BaseFeatureStore

    reg = registry()
    component = reg.get_component(_T, name_or_active(reg, _T, name))
    assert isinstance(component, BaseFeatureStore)
    return component


@click.group("features")
def features() -> None:
    """Features of the feature store's views."""


@features.command("list")
@store_option
@click.option("--view", default=None, help="Only the features of this feature view.")
@output_option
def list_features(store_name: str | None, view: str | None, output: str) -> None:
    """List features as view:name with their types."""
    found = [f for f in _store(store_name).list_features() if view is None or f.view == view]
    if output == "json":
        echo_json([{"reference": f.reference, **f.model_dump()} for f in found])
    elif not found:
        click.echo("No features.")
    else:
        echo_table(["feature", "type"], [(f.reference, f.dtype) for f in found])


@click.group("entities")
def entities() -> None:
    """Entities of the feature store (what features are keyed by)."""


@entities.command("list")
@store_option
@output_option
def list_entities(store_name: str | None, output: str) -> None:
    """List entities with their join keys."""
    found = _store(store_name).list_entities()
    if output == "json":
        echo_json([e.model_dump() for e in found])
    elif not found:
        click.echo("No entities.")
    else:
        rows = [(e.name, ", ".join(e.join_keys), e.description) for e in found]
        echo_table(["entity", "join keys", "description"], rows)


@click.group("views")
def views() -> None:
    """Feature views of the feature store."""


@views.command("list")
@store_option
@output_option
def list_views(store_name: str | None, output: str) -> None:
    """List feature views with their entities, features and source."""
    found = _store(store_name).list_feature_views()
    if output == "json":
        echo_json([v.model_dump() for v in found])
    elif not found:
        click.echo("No feature views.")
    else:
        rows = [(v.name, ", ".join(v.entities), ", ".join(f.name for f in v.features), v.source,
                 "yes" if v.online else "no") for v in found]  # fmt: skip
        echo_table(["view", "entities", "features", "source", "online"], rows)
