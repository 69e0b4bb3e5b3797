"""Container registries: the default flavor, conformance and URI handling."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from cairn.container_registries import BaseContainerRegistry, DefaultContainerRegistry
from cairn.enums import StackComponentType
from cairn.testing import StackComponentConformance


class TestDefaultContainerRegistryConformance(StackComponentConformance):
    def make_component(self) -> DefaultContainerRegistry:
        return DefaultContainerRegistry(name="registry", uri="localhost:5000")


def test_type_and_flavor() -> None:
    assert DefaultContainerRegistry.TYPE is StackComponentType.CONTAINER_REGISTRY
    assert DefaultContainerRegistry.FLAVOR == "default"


def test_uri_is_stripped_of_spaces_and_trailing_slashes() -> None:
    registry = DefaultContainerRegistry(name="r", uri="  ghcr.io/org/ ")
    assert registry.uri == "ghcr.io/org"
    assert registry.image_name("cairn", "1.0") == "ghcr.io/org/cairn:1.0"


@pytest.mark.parametrize("uri", ["", "   ", "/"])
def test_empty_uri_is_rejected(uri: str) -> None:
    with pytest.raises(ValidationError, match="uri"):
        DefaultContainerRegistry(name="r", uri=uri)


@pytest.mark.parametrize(
    ("uri", "local"),
    [("localhost:5000", True), ("127.0.0.1:5000/x", True), ("ghcr.io/org", False)],
)
def test_is_local(uri: str, local: bool) -> None:
    assert DefaultContainerRegistry(name="r", uri=uri).is_local is local


def test_base_class_is_not_a_flavor() -> None:
    assert "FLAVOR" not in BaseContainerRegistry.__dict__
    assert BaseContainerRegistry.__dict__.get("__abstract_component__") is True
