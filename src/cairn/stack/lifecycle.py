"""Bringing stack components up and down (the logic behind ``cairn ... up|down``).

* **up**: provision the component if it is not provisioned, then resume it if
  it is not running.
* **down**: suspend it; with ``force``, also deprovision it.

Stack-wide operations go through every component of a stack, report each, and
carry on past a component that fails; the failures are returned with the tail
of the component's log file, when it has one.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cairn.enums import StackComponentType
from cairn.exceptions import CairnError

if TYPE_CHECKING:
    from cairn.stack.registry import StackRegistry
    from cairn.stack.stack_component import StackComponent

LOG_TAIL_LINES = 20


@dataclass(frozen=True)
class Outcome:
    """What happened to one component during ``up`` or ``down``.

    Attributes:
        message: what was done (``provisioned, resumed``), or the error.
        state: the component's state afterwards (``running``, ``suspended``,
            ``not provisioned``), or ``None`` if it could not be told.
        log_tail: the last lines of the component's log file after a failure.
    """

    type: StackComponentType
    name: str
    ok: bool
    message: str
    state: str | None = None
    log_tail: str | None = None

    @property
    def changed(self) -> bool:
        """Whether anything was done to the component (not ``already up`` and the like)."""
        return (
            self.ok
            and any(word in self.message for word in ("provisioned", "resumed", "suspended"))
            and not self.message.startswith(("not provisioned", "already"))
        )

    @property
    def label(self) -> str:
        """``artifact-store 'name'``."""
        return f"{self.type.cli_name} '{self.name}'"


def _overrides(component: StackComponent, method: str) -> bool:
    """Whether the component's class implements ``method`` itself (not the no-op default)."""
    from cairn.stack.stack_component import StackComponent

    return getattr(type(component), method) is not getattr(StackComponent, method)


def _background_running(component: StackComponent) -> bool:
    """Whether a component's background service runs (a local scheduler; runs need it not)."""
    return bool(getattr(component, "background_running", True))


def component_up(component: StackComponent) -> str:
    """Provision (if needed) and resume (if needed) a component; say what was done."""
    done = []
    if not component.is_provisioned:
        component.provision()
        done.append("provisioned")
    if not component.is_running or not _background_running(component):
        component.resume()
        done.append("resumed")
    return ", ".join(done) if done else "already up"


def component_down(component: StackComponent, force: bool = False) -> str:
    """Suspend a running component; with ``force`` also deprovision it. Say what was done."""
    done = []
    running = component.is_running and _background_running(component)
    if running and _overrides(component, "suspend"):
        component.suspend()
        done.append("suspended")
    if force and component.is_provisioned and _overrides(component, "deprovision"):
        component.deprovision()
        done.append("deprovisioned")
    if done:
        return ", ".join(done)
    if not component.is_provisioned:
        return "not provisioned"
    if not component.is_running:
        return "already suspended"
    return "nothing to suspend (always running)"


def log_tail(component: StackComponent, lines: int = LOG_TAIL_LINES) -> str | None:
    """The last ``lines`` lines of the component's log file, if it has a non-empty one."""
    try:
        path = component.log_file
        if path is None or not Path(path).is_file():
            return None
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except Exception:  # a broken log must not hide the real failure
        return None
    tail = "\n".join(text.splitlines()[-lines:])
    return tail or None


def _apply(
    registry: StackRegistry,
    type: StackComponentType,
    name: str,
    action: Callable[[StackComponent], str],
) -> Outcome:
    component = None
    try:
        component = registry.get_component(type, name)
        message = action(component)
        return Outcome(type, name, True, message, component.state)
    except Exception as exc:
        tail = log_tail(component) if component is not None else None
        return Outcome(type, name, False, error_message(exc), None, tail)


def error_message(exc: BaseException) -> str:
    """One line for a failure: Cairn's own message, else ``ExceptionType: message``."""
    if isinstance(exc, CairnError) and str(exc):
        return str(exc)
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _members(
    registry: StackRegistry, stack_name: str | None
) -> list[tuple[StackComponentType, str]]:
    record = registry.store.get_stack(stack_name or registry.active_stack_name())
    order = list(StackComponentType)
    return sorted(record.components.items(), key=lambda item: order.index(item[0]))


def stack_up(
    registry: StackRegistry,
    stack_name: str | None = None,
    report: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Bring every component of a stack (default: the active one) up.

    Components are handled one by one in type order; a failing component does
    not stop the others. ``report`` is called with each outcome as it happens.
    """
    outcomes = []
    for ctype, name in _members(registry, stack_name):
        outcome = _apply(registry, ctype, name, component_up)
        outcomes.append(outcome)
        if report is not None:
            report(outcome)
    return outcomes


def stack_down(
    registry: StackRegistry,
    stack_name: str | None = None,
    force: bool = False,
    report: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Suspend (``force``: deprovision) every component of a stack, in reverse type order."""
    outcomes = []
    for ctype, name in reversed(_members(registry, stack_name)):
        outcome = _apply(registry, ctype, name, lambda c: component_down(c, force))
        outcomes.append(outcome)
        if report is not None:
            report(outcome)
    return outcomes


def follow_file(
    path: Path,
    write: Callable[[str], None],
    stop: Callable[[], bool] = lambda: False,
    interval: float = 0.25,
) -> None:
    """Write the file's content, then new content as it is appended, until ``stop()``.

    A file that is truncated or replaced (log rotation) is read again from its start.
    """
    position = 0
    while True:
        try:
            size = path.stat().st_size
            if size < position:
                position = 0
            if size > position:
                with path.open("r", encoding="utf-8", errors="replace") as handle:
                    handle.seek(position)
                    write(handle.read())
                    position = handle.tell()
        except FileNotFoundError:
            position = 0
        if stop():
            return
        time.sleep(interval)
