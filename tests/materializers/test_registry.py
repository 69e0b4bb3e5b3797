"""Choosing a materializer: MRO lookup, priority, lazy type names, user registration."""

from __future__ import annotations

import subprocess
import sys
from typing import Annotated, Any, ClassVar, Optional

import pytest

from cairn.exceptions import MaterializerError
from cairn.materializers import BaseMaterializer, MaterializerRegistry, PickleFallbackWarning
from cairn.materializers.builtin_materializers import BuiltInMaterializer
from cairn.materializers.cloudpickle_materializer import CloudpickleMaterializer
from cairn.materializers.registry import load_materializer, normalize_type


class Animal:
    pass


class Dog(Animal):
    pass


class Puppy(Dog):
    pass


class _Base(BaseMaterializer):
    def save(self, data: Any) -> None:
        raise NotImplementedError

    def load(self, data_type: type) -> Any:
        raise NotImplementedError


class AnimalMaterializer(_Base):
    ASSOCIATED_TYPES: ClassVar[tuple[type | str, ...]] = (Animal,)


class DogMaterializer(_Base):
    ASSOCIATED_TYPES: ClassVar[tuple[type | str, ...]] = (Dog,)


class BetterDogMaterializer(_Base):
    ASSOCIATED_TYPES: ClassVar[tuple[type | str, ...]] = (Dog,)
    PRIORITY: ClassVar[int] = 10


class LazyMaterializer(_Base):
    ASSOCIATED_TYPES: ClassVar[tuple[type | str, ...]] = (f"{__name__}.Animal",)


def test_mro_picks_the_closest_class() -> None:
    registry = MaterializerRegistry()
    registry.register(AnimalMaterializer)
    registry.register(DogMaterializer)
    assert registry.materializer_for(Puppy) is DogMaterializer
    assert registry.materializer_for(Animal) is AnimalMaterializer


def test_priority_among_materializers_of_one_type() -> None:
    registry = MaterializerRegistry()
    registry.register(DogMaterializer)
    registry.register(BetterDogMaterializer)
    assert registry.materializer_for(Puppy) is BetterDogMaterializer


def test_clash_needs_overwrite() -> None:
    registry = MaterializerRegistry()
    registry.register(DogMaterializer)

    class OtherDog(DogMaterializer):
        pass

    with pytest.raises(MaterializerError, match="overwrite=True"):
        registry.register(OtherDog)
    registry.register(OtherDog, overwrite=True)
    assert registry.materializer_for(Dog) is OtherDog
    with pytest.raises(MaterializerError, match=r"builtins\.int"):
        registry.register(type("IntM", (_Base,), {"ASSOCIATED_TYPES": (int,)}))


def test_invalid_registrations() -> None:
    registry = MaterializerRegistry()
    with pytest.raises(MaterializerError, match="not a subclass"):
        registry.register(dict)  # type: ignore[arg-type]
    with pytest.raises(MaterializerError, match="ASSOCIATED_TYPES"):
        registry.register(_Base)


def test_type_names_resolve_lazily() -> None:
    registry = MaterializerRegistry()
    registry.register(LazyMaterializer)
    assert registry.materializer_for(Puppy) is LazyMaterializer


def test_unknown_type_falls_back_to_pickle_with_one_warning() -> None:
    registry = MaterializerRegistry()
    with pytest.warns(PickleFallbackWarning, match="Animal"):
        assert registry.materializer_for(Animal) is CloudpickleMaterializer
    assert registry.materializer_for(Animal) is CloudpickleMaterializer  # no second warning
    assert registry.materializer_for(Any) is CloudpickleMaterializer  # runtime type decides


def test_type_hints_are_normalized() -> None:
    assert normalize_type(Annotated[int, "n"]) is int
    assert normalize_type(list[int]) is list
    assert normalize_type(Optional[Dog]) is Dog  # noqa: UP045
    assert normalize_type(int | str) is object
    assert MaterializerRegistry().materializer_for(dict[str, int]) is BuiltInMaterializer


def test_sources_are_stable_import_paths() -> None:
    source = BuiltInMaterializer.source()
    assert source == "cairn.materializers.builtin_materializers:BuiltInMaterializer"
    assert load_materializer(source) is BuiltInMaterializer
    with pytest.raises(MaterializerError, match="Cannot import"):
        load_materializer("nowhere.module:Thing")
    with pytest.raises(MaterializerError, match="not a subclass"):
        load_materializer("builtins:dict")


def test_registering_does_not_import_heavy_libraries() -> None:
    code = (
        "import sys\n"
        "from cairn.materializers import materializer_for\n"
        "assert materializer_for(int).__name__ == 'BuiltInMaterializer'\n"
        "heavy = {'numpy', 'pandas', 'pyarrow', 'sqlalchemy'} & set(sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
