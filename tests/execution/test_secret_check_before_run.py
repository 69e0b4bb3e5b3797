"""A run refuses to start when a secret reference of its stack cannot be resolved."""

from __future__ import annotations

import pytest

from cairn import pipeline, step
from cairn.enums import StackComponentType as T
from cairn.exceptions import StackValidationError
from cairn.stack import StackRegistry

STARTED: list[str] = []


@step
def mark() -> int:
    STARTED.append("mark")
    return 1


@pipeline
def one_step() -> None:
    mark()


def test_missing_reference_stops_the_run_before_anything_starts() -> None:
    registry = StackRegistry()
    registry.register_component(T.ALERTER, "h", "webhook", {
        "url": "https://example.org/hook", "secret": "{{absent.token}}",
    }, verify=False)  # fmt: skip
    registry.update_stack("default", {T.ALERTER: "h"})
    with pytest.raises(StackValidationError, match=r"\{\{absent.token\}\}"):
        one_step().run()
    assert STARTED == []
    registry.default_secrets_manager().register_secret("absent", {"token": "t"})
    assert one_step().run().status.value == "completed"
    assert STARTED == ["mark"]
