"""Bringing components and stacks up and down."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any, ClassVar

import pytest

from cairn.alerters import BaseAlerter
from cairn.enums import StackComponentType
from cairn.stack.flavor_registry import register_custom_flavor
from cairn.stack.lifecycle import (
    component_down,
    component_up,
    follow_file,
    log_tail,
    stack_down,
    stack_up,
)
from cairn.stack.registry import StackRegistry

T = StackComponentType

STATEFUL = """
from pathlib import Path
from typing import ClassVar

from cairn.alerters import BaseAlerter


class Stateful(BaseAlerter):
    FLAVOR: ClassVar[str] = "stateful"
    fail_on: str = ""

    def _post(self, message, params):
        pass

    @property
    def _state(self) -> Path:
        return self.local_path / "state"

    @property
    def log_file(self) -> Path:
        return self.local_path / "log"

    @property
    def is_provisioned(self) -> bool:
        return self._state.exists()

    @property
    def is_running(self) -> bool:
        return self.is_provisioned and self._state.read_text() == "running"

    def _step(self, what: str, state: str | None) -> None:
        self.local_path.mkdir(parents=True, exist_ok=True)
        with open(self.log_file, "a") as handle:
            handle.write(what + "\\n")
        if self.fail_on == what:
            raise RuntimeError(f"{what} failed")
        if state is None:
            self._state.unlink()
        else:
            self._state.write_text(state)

    def provision(self) -> None:
        self._step("provision", "suspended")

    def resume(self) -> None:
        self._step("resume", "running")

    def suspend(self) -> None:
        self._step("suspend", "suspended")

    def deprovision(self) -> None:
        self._step("deprovision", None)
"""


class AlwaysOn(BaseAlerter):
    """A flavor with the default state interface: always provisioned and running."""

    FLAVOR: ClassVar[str] = "always_on"

    def _post(self, message, params):
        pass


@pytest.fixture
def registry(make_module: Any) -> StackRegistry:
    reg = StackRegistry()
    register_custom_flavor(reg.store, T.ALERTER, f"{make_module(STATEFUL)}.Stateful")
    return reg


def test_component_up_and_down(registry: StackRegistry) -> None:
    component = registry.register_component(T.ALERTER, "a", "stateful", {})
    assert component_up(component) == "provisioned, resumed"
    assert component.state == "running"
    assert component_up(component) == "already up"
    assert component_down(component) == "suspended"
    assert component.state == "suspended"
    assert component_down(component) == "already suspended"
    assert component_up(component) == "resumed"
    assert component_down(component, force=True) == "suspended, deprovisioned"
    assert component.state == "not provisioned"
    assert component_down(component, force=True) == "not provisioned"
    assert log_tail(component, lines=2) == "suspend\ndeprovision"


def test_default_state_interface_has_nothing_to_do() -> None:
    component = AlwaysOn(name="on")
    assert component_up(component) == "already up"
    assert component_down(component) == "nothing to suspend (always running)"
    assert component_down(component, force=True) == "nothing to suspend (always running)"
    assert log_tail(component) is None


def _stack(registry: StackRegistry, fail_on: str = "") -> None:
    registry.register_component(T.ALERTER, "a", "stateful", {"fail_on": fail_on})
    registry.update_stack("default", {T.ALERTER: "a"})


def test_stack_up_reports_each_component_in_type_order(registry: StackRegistry) -> None:
    _stack(registry)
    seen: list[str] = []
    outcomes = stack_up(registry, report=lambda o: seen.append(o.label))
    assert seen == ["orchestrator 'default'", "artifact-store 'default'",
                    "metadata-store 'default'", "secrets-manager 'default'",
                    "alerter 'a'"]  # fmt: skip
    assert all(o.ok for o in outcomes)
    assert outcomes[-1].message == "provisioned, resumed" and outcomes[-1].state == "running"
    down = stack_down(registry)
    assert [o.label for o in down] == list(reversed(seen))
    assert down[0].message == "suspended" and down[0].state == "suspended"
    forced = stack_down(registry, "default", force=True)
    assert forced[0].message == "deprovisioned" and forced[0].state == "not provisioned"


def test_stack_up_continues_past_a_failure_with_the_log_tail(registry: StackRegistry) -> None:
    _stack(registry, fail_on="resume")
    registry.update_stack("default", {T.ALERTER: "a"})
    outcomes = stack_up(registry)
    failed = [o for o in outcomes if not o.ok]
    assert [o.label for o in failed] == ["alerter 'a'"]
    assert failed[0].message == "RuntimeError: resume failed"
    assert failed[0].log_tail == "provision\nresume"
    assert sum(o.ok for o in outcomes) == 4


def test_a_component_that_cannot_be_built_is_a_failure_not_a_crash(
    registry: StackRegistry,
) -> None:
    _stack(registry)
    registry.store.delete_flavor(T.ALERTER, "stateful")
    outcomes = stack_up(registry)
    assert not outcomes[-1].ok and "No alerter flavor named 'stateful'" in outcomes[-1].message
    assert outcomes[-1].log_tail is None


def test_follow_file_prints_appended_text(tmp_path: Path) -> None:
    path = tmp_path / "log"
    path.write_text("one\n")
    seen: list[str] = []

    def append_later() -> None:
        time.sleep(0.1)
        with open(path, "a") as handle:
            handle.write("two\n")

    thread = threading.Thread(target=append_later)
    thread.start()
    follow_file(path, seen.append, stop=lambda: "two" in "".join(seen), interval=0.02)
    thread.join()
    assert "".join(seen) == "one\ntwo\n"


def test_follow_file_waits_for_a_missing_file_and_rereads_a_truncated_one(
    tmp_path: Path,
) -> None:
    path = tmp_path / "log"
    seen: list[str] = []
    calls = iter(range(1000))

    def stop() -> bool:
        step = next(calls)
        if step == 1:
            path.write_text("first line\n")
        if step == 3:
            path.write_text("new\n")
        return step >= 5

    follow_file(path, seen.append, stop=stop, interval=0)
    assert seen == ["first line\n", "new\n"]
