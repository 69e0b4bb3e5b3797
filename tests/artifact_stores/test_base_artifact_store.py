"""The artifact store base class: scheme checks and class creation rules."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from pydantic import ValidationError

from cairn.artifact_stores import BaseArtifactStore
from cairn.artifact_stores.base_artifact_store import check_scheme
from cairn.enums import StackComponentType


class CustomStore(BaseArtifactStore):
    FLAVOR: ClassVar[str] = "custom"
    SUPPORTED_SCHEMES: ClassVar[set[str]] = {"custom://", "other://"}

    def _make_filesystem(self) -> Any:
        from fsspec.implementations.memory import MemoryFileSystem

        return MemoryFileSystem()


def test_type_is_artifact_store() -> None:
    assert CustomStore.TYPE is StackComponentType.ARTIFACT_STORE


@pytest.mark.parametrize("path", ["custom://bucket", "other://x/y"])
def test_supported_schemes_are_accepted(path: str) -> None:
    assert CustomStore(name="c", path=path).path == path


@pytest.mark.parametrize("path", ["/local/path", "s3://bucket", "custom:/typo"])
def test_other_schemes_are_rejected_naming_the_supported_ones(path: str) -> None:
    with pytest.raises(ValidationError) as info:
        CustomStore(name="c", path=path)
    message = str(info.value)
    assert "'custom://'" in message and "'other://'" in message


def test_check_scheme_local_and_remote() -> None:
    assert check_scheme("/a/b", {""}) == "/a/b"
    assert check_scheme("relative", {"", "s3://"}) == "relative"
    assert check_scheme("s3://b", {"", "s3://"}) == "s3://b"
    with pytest.raises(ValueError, match="a local path"):
        check_scheme("gs://b", {""})


def test_base_class_is_abstract() -> None:
    with pytest.raises(TypeError):
        BaseArtifactStore(name="x", path="/tmp")  # type: ignore[abstract]


def test_concrete_store_without_schemes_fails_at_class_creation() -> None:
    with pytest.raises(TypeError, match="SUPPORTED_SCHEMES"):

        class NoSchemes(BaseArtifactStore):
            FLAVOR: ClassVar[str] = "noschemes"

            def _make_filesystem(self) -> Any:
                return None


def test_concrete_store_without_flavor_fails_at_class_creation() -> None:
    with pytest.raises(TypeError, match="FLAVOR"):

        class NoFlavor(BaseArtifactStore):
            SUPPORTED_SCHEMES: ClassVar[set[str]] = {""}

            def _make_filesystem(self) -> Any:
                return None


def test_abstract_subclass_needs_neither() -> None:
    class StillAbstract(BaseArtifactStore):
        pass

    with pytest.raises(TypeError):
        StillAbstract(name="x", path="/tmp")  # type: ignore[abstract]


def test_file_api_goes_through_the_flavor_filesystem() -> None:
    store = CustomStore(name="c", path="custom://root")
    with store.open("/root/a.txt", "wb") as f:
        f.write(b"hello")
    assert store.exists("/root/a.txt")
    assert store.listdir("/root") == ["a.txt"]
    assert store.filesystem is store.filesystem  # created once
