"""The generated table of the catalog flavors' parameters matches their classes."""

from __future__ import annotations

import pytest

from cairn.enums import StackComponentType
from cairn.stack._flavor_parameters import PARAMETERS
from cairn.stack.flavor_catalog import catalog
from cairn.stack.flavor_param_table import known_parameters
from cairn.stack.flavor_params import flavor_parameters
from cairn.stack.source_utils import load_source


def test_the_table_has_every_catalog_flavor() -> None:
    assert set(PARAMETERS) == {(e.type.value, e.name) for e in catalog()}


@pytest.mark.parametrize("entry", catalog(), ids=lambda e: f"{e.type.value}-{e.name}")
def test_the_table_matches_the_flavor_class(entry: object) -> None:
    """Stale after a change to a flavor's fields: run ``python -m
    cairn.stack.flavor_param_table``."""
    from cairn.stack.flavor_catalog import CatalogEntry

    assert isinstance(entry, CatalogEntry)
    from_class = flavor_parameters(load_source(entry.source))
    assert known_parameters(entry.type, entry.name) == from_class


def test_other_flavors_are_left_to_their_class() -> None:
    assert known_parameters(StackComponentType.ORCHESTRATOR, "no-such-flavor") is None


def test_an_integration_that_is_not_installed_is_left_to_its_import(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Importing the flavor then says how to install it, as without the table."""
    from cairn.stack import flavor_param_table

    monkeypatch.setattr(flavor_param_table, "find_spec", lambda name: None)
    assert known_parameters(StackComponentType.EXPERIMENT_TRACKER, "mlflow") is None
    assert known_parameters(StackComponentType.ORCHESTRATOR, "local") is not None
