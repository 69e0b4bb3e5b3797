"""Third-party flavors from the `cairn.flavors` entry-point group, broken ones included."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from cairn.enums import StackComponentType as T
from cairn.exceptions import FlavorError
from cairn.stack import StackRegistry
from cairn.stack.flavor_registry import FlavorInfo, get_flavor_class, list_flavors
from cairn.store.registry_store import SQLiteRegistryStore

PLUGIN_MODULE = """
from typing import ClassVar
from cairn.artifact_stores import LocalArtifactStore
from cairn.alerters import BaseAlerter

class PluggedStore(LocalArtifactStore):
    FLAVOR: ClassVar[str] = "plugged"

class ClashStore(LocalArtifactStore):
    pass  # inherits FLAVOR 'local': clashes with the built-in flavor

class Siren(BaseAlerter):
    FLAVOR: ClassVar[str] = "siren"

    def _post(self, message, params):
        pass

ALL = [Siren]
"""

ENTRY_POINTS = """
[cairn.flavors]
artifact_store.plugged = fake_cairn_plugin:PluggedStore
artifact_store.clash = fake_cairn_plugin:ClashStore
several = fake_cairn_plugin:ALL
artifact_store.broken = no_such_plugin_module_xyz:Store
mystery = fake_cairn_plugin:DoesNotExist
alerter.exits = fake_cairn_exiting_plugin:Anything
"""


@pytest.fixture
def plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An installed distribution `fake-cairn-plugin` with good and broken entry points."""
    site = tmp_path / "site"
    dist_info = site / "fake_cairn_plugin-1.0.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: fake-cairn-plugin\nVersion: 1.0\n"
    )
    (dist_info / "entry_points.txt").write_text(textwrap.dedent(ENTRY_POINTS))
    (site / "fake_cairn_plugin.py").write_text(textwrap.dedent(PLUGIN_MODULE))
    (site / "fake_cairn_exiting_plugin.py").write_text("import sys\nsys.exit('plugin quits')\n")
    monkeypatch.syspath_prepend(str(site))
    return site


def by_name(store: SQLiteRegistryStore, type: T | None) -> dict[str, FlavorInfo]:
    return {i.name: i for i in list_flavors(store, type) if i.origin == "plugin"}


def test_plugins_are_listed_broken_ones_included(store: SQLiteRegistryStore, plugin: Path) -> None:
    infos = by_name(store, T.ARTIFACT_STORE)
    assert set(infos) == {"plugged", "local", "artifact_store.broken", "mystery"}
    plugged = infos["plugged"]
    assert (plugged.usable, plugged.integration) == (True, "fake-cairn-plugin")
    assert plugged.source == "fake_cairn_plugin:PluggedStore"
    clash = infos["local"]
    assert not clash.usable and "clashes with the built-in flavor" in str(clash.problem)
    broken = infos["artifact_store.broken"]
    assert not broken.usable and broken.type is T.ARTIFACT_STORE
    assert "failed to load: ModuleNotFoundError" in str(broken.problem)
    mystery = infos["mystery"]
    assert mystery.type is None and "AttributeError" in str(mystery.problem)
    assert mystery.as_dict()["type"] is None


def test_broken_plugin_of_unknown_type_is_listed_under_every_type(
    store: SQLiteRegistryStore, plugin: Path
) -> None:
    alerters = by_name(store, T.ALERTER)
    assert set(alerters) == {"siren", "mystery", "alerter.exits"}
    assert "SystemExit: plugin quits" in str(alerters["alerter.exits"].problem)
    assert set(by_name(store, None)) == {
        "plugged", "local", "siren", "artifact_store.broken", "mystery", "alerter.exits",
    }  # fmt: skip


def test_plugins_can_be_left_out(store: SQLiteRegistryStore, plugin: Path) -> None:
    assert not [i for i in list_flavors(store, plugins=False) if i.origin == "plugin"]


def test_plugin_flavor_is_used_like_any_other(store: SQLiteRegistryStore, plugin: Path) -> None:
    cls = get_flavor_class(store, T.ARTIFACT_STORE, "plugged")
    assert cls.__name__ == "PluggedStore"
    component = StackRegistry(store).register_component(
        T.ARTIFACT_STORE, "p", "plugged", {"path": "/data"}
    )
    assert component.FLAVOR == "plugged"
    assert get_flavor_class(store, T.ALERTER, "siren").__name__ == "Siren"


def test_builtin_wins_over_a_clashing_plugin(store: SQLiteRegistryStore, plugin: Path) -> None:
    assert get_flavor_class(store, T.ARTIFACT_STORE, "local").__name__ == "LocalArtifactStore"


def test_broken_plugin_is_an_unknown_flavor_not_a_crash(
    store: SQLiteRegistryStore, plugin: Path
) -> None:
    with pytest.raises(FlavorError, match="No artifact-store flavor named 'broken'"):
        get_flavor_class(store, T.ARTIFACT_STORE, "broken")


def test_unreadable_entry_points_are_reported(
    store: SQLiteRegistryStore, plugin: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.metadata

    def broken(**kwargs: object) -> object:
        raise ValueError("bad metadata")

    monkeypatch.setattr(importlib.metadata, "entry_points", broken)
    (info,) = by_name(store, T.ORCHESTRATOR).values()
    assert not info.usable and "bad metadata" in str(info.problem)
