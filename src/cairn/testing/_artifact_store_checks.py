"""Helpers of the artifact store conformance suite that run in other processes.

The pipeline steps and the materializer used by the suite live here, at the top
level of an importable module, so that a step or a child process can import
them by path.
"""

from __future__ import annotations

import os
import sys
from typing import Any, ClassVar

from cairn.materializers.base_materializer import BaseMaterializer
from cairn.pipelines import pipeline
from cairn.steps import step


class Interrupted:
    """An object whose materializer dies (``os._exit``) half way through saving it."""

    def __init__(self, size: int) -> None:
        self.size = size


class InterruptedMaterializer(BaseMaterializer):
    """Writes half of an ``Interrupted`` object's bytes, then kills the process."""

    ASSOCIATED_TYPES: ClassVar[tuple[type | str, ...]] = (Interrupted,)

    def save(self, data: Interrupted) -> None:
        with self.open("complete.bin", "wb") as f:
            f.write(b"x" * 1024)
        f = self.open("data.bin", "wb")
        f.write(os.urandom(data.size // 2))
        f.flush()
        sys.stdout.flush()
        os._exit(3)  # the process dies: no close, no cleanup

    def load(self, data_type: type) -> Any:
        raise AssertionError("an interrupted artifact is never loaded")


def write_interrupted(store: Any, uri: str, size: int) -> None:
    """Start writing the artifact ``uri`` and die half way (run in a child process)."""
    from cairn.materializers.artifact_io import write_artifact

    write_artifact(store, uri, InterruptedMaterializer, Interrupted(size))


@step
def make_numbers(n: int = 1000) -> list[int]:
    """The first ``n`` squares."""
    return [i * i for i in range(n)]


@step
def total(numbers: list[int]) -> int:
    """The sum of ``numbers``."""
    return sum(numbers)


@pipeline
def conformance_numbers(n: int = 1000) -> None:
    """Two steps: the artifact of the first is the input of the second."""
    total(make_numbers(n=n))


READ_BACK = """
import json, sys
from cairn.client import Client
run = Client().get_run(sys.argv[1])
out = {name: {k: [a.uri, a.load()] for k, a in s.outputs.items()} for name, s in run.steps.items()}
print(json.dumps({"status": str(run.status), "outputs": out}))
"""


class Failing:
    """Marker type of :class:`FailingMaterializer` (never registered for real types)."""


class FailingMaterializer(BaseMaterializer):
    """Writes a file, starts a second one, then raises."""

    ASSOCIATED_TYPES: ClassVar[tuple[type | str, ...]] = (Failing,)

    def save(self, data: Any) -> None:
        with self.open("first.bin", "wb") as f:
            f.write(bytes(data))
        with self.open("second.bin", "wb") as f:
            f.write(bytes(data))
            raise RuntimeError("the materializer failed half way")

    def load(self, data_type: type) -> Any:
        raise AssertionError("a failed artifact is never loaded")


def use_store_in_a_stack(store: Any, path: str) -> str:
    """Register ``store`` (rooted at ``path``) in a new active stack; return its name.

    A flavor that is not known to the registry (a test's own class) is registered
    as a custom flavor first. The other components are those of the active stack
    (its secrets manager keeps the store's credentials).
    """
    from cairn.enums import StackComponentType as T
    from cairn.stack import StackRegistry
    from cairn.stack.flavor_registry import list_flavors, register_custom_flavor

    registry = StackRegistry()
    known = {f.name for f in list_flavors(registry.store, T.ARTIFACT_STORE)}
    if store.FLAVOR not in known:
        cls = type(store)
        register_custom_flavor(
            registry.store, T.ARTIFACT_STORE, f"{cls.__module__}:{cls.__qualname__}"
        )
    name = f"conformance-{store.FLAVOR}-{os.urandom(4).hex()}"
    config = {**store.config_dict(reveal_secrets=True), "path": path}
    registry.register_component(T.ARTIFACT_STORE, name, store.FLAVOR, config)
    components = dict(registry.store.get_stack(registry.active_stack_name()).components)
    components.update({T.ARTIFACT_STORE: name})
    registry.register_stack(name, components, activate=True)
    return name
