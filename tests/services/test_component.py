"""Component and stack state driven by a real daemon (LocalDaemonMixin)."""

from __future__ import annotations

import importlib
import sys
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cairn.enums import StackComponentType
from cairn.services import LocalService, list_services, pid_alive
from cairn.stack.flavor_registry import register_custom_flavor
from cairn.stack.lifecycle import component_down, component_up, stack_down, stack_up
from cairn.stack.registry import StackRegistry

T = StackComponentType

FLAVORS = """
import sys
from pathlib import Path
from typing import ClassVar

from cairn.alerters import BaseAlerter
from cairn.experiment_trackers import BaseExperimentTracker
from cairn.services import DaemonSpec, HealthCheck, LocalDaemonMixin

HTTP = [sys.executable, "-m", "http.server", "{port}", "--bind", "{host}"]
CRASH = [sys.executable, "-c", "import sys; print('cannot start: no config'); sys.exit(2)"]


class _Daemon(LocalDaemonMixin):
    def _daemon_spec(self):
        return DaemonSpec(CRASH if self.crash else HTTP, HealthCheck("http"), start_timeout=20,
                          stop_grace=5)

    def _daemon_id(self):
        return f"test-{self.uuid}"

    def _daemon_data_dir(self):
        return self.local_path


class HttpTracker(_Daemon, BaseExperimentTracker):
    FLAVOR: ClassVar[str] = "http_daemon"
    crash: bool = False


class HttpAlerter(_Daemon, BaseAlerter):
    FLAVOR: ClassVar[str] = "http_daemon"
    crash: bool = False

    def _post(self, message, params):
        pass
"""


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[StackRegistry]:
    name = f"daemon_flavors_{uuid.uuid4().hex[:8]}"
    (Path.cwd() / f"{name}.py").write_text(textwrap.dedent(FLAVORS), encoding="utf-8")
    importlib.invalidate_caches()
    sys.path.insert(0, str(Path.cwd()))
    reg = StackRegistry()
    register_custom_flavor(reg.store, T.EXPERIMENT_TRACKER, f"{name}.HttpTracker")
    register_custom_flavor(reg.store, T.ALERTER, f"{name}.HttpAlerter")
    yield reg
    for service in list_services():
        service.stop(grace=2)
    sys.path.remove(str(Path.cwd()))
    sys.modules.pop(name, None)


def _pid(component: Any) -> int:
    pid = component.service.read_state().pid
    assert isinstance(pid, int)
    return pid


def test_component_states_follow_the_process(registry: StackRegistry) -> None:
    tracker = registry.register_component(T.EXPERIMENT_TRACKER, "t", "http_daemon", {})
    assert tracker.state == "not provisioned"
    assert component_up(tracker) == "provisioned, resumed"
    assert tracker.state == "running" and tracker.is_running
    pid = _pid(tracker)
    assert tracker.log_file is not None and tracker.log_file.is_file()
    assert component_down(tracker) == "suspended"
    assert tracker.state == "suspended" and not pid_alive(pid)
    assert tracker.local_path.is_dir()  # data kept
    component_up(tracker)
    pid = _pid(tracker)
    import os
    import signal

    os.kill(pid, signal.SIGKILL)
    from cairn.services.process import wait_gone

    assert wait_gone(pid, 10)
    assert tracker.state == "suspended"  # the crash is seen: not running any more
    assert component_up(tracker) == "resumed"
    assert component_down(tracker, force=True) == "suspended, deprovisioned"
    assert tracker.state == "not provisioned"
    assert not tracker.local_path.exists()
    assert not LocalService(f"test-{tracker.uuid}").exists()


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="reads /proc/<pid>/environ")
def test_a_daemon_keeps_its_temporary_files_in_its_own_folder(registry: StackRegistry) -> None:
    """Its TMPDIR is under its data folder (MLflow's server leaves lock files there, not in
    /tmp), and deprovisioning removes them with the data."""
    tracker = registry.register_component(T.EXPERIMENT_TRACKER, "t", "http_daemon", {})
    component_up(tracker)
    environ = Path(f"/proc/{_pid(tracker)}/environ").read_bytes().split(b"\0")
    tmpdir = dict(e.decode().split("=", 1) for e in environ if b"=" in e)["TMPDIR"]
    assert Path(tmpdir) == tracker.local_path / "tmp" and Path(tmpdir).is_dir()
    (Path(tmpdir) / "db_init_lock-x").touch()
    component_down(tracker, force=True)
    assert not Path(tmpdir).exists()


def test_stack_up_partial_failure_and_down(registry: StackRegistry) -> None:
    registry.register_component(T.EXPERIMENT_TRACKER, "t", "http_daemon", {})
    registry.register_component(T.ALERTER, "al", "http_daemon", {"crash": True})
    registry.update_stack("default", {T.EXPERIMENT_TRACKER: "t", T.ALERTER: "al"})
    outcomes = {o.name + o.type.value: o for o in stack_up(registry)}
    tracker_up = outcomes["t" + T.EXPERIMENT_TRACKER.value]
    alerter_up = outcomes["al" + T.ALERTER.value]
    assert tracker_up.ok and tracker_up.state == "running"
    assert not alerter_up.ok and "exited during start-up" in alerter_up.message
    assert alerter_up.log_tail is not None and "cannot start: no config" in alerter_up.log_tail
    tracker = registry.get_component(T.EXPERIMENT_TRACKER, "t")
    assert tracker.is_running  # the others stay up
    pid = _pid(tracker)
    down = {o.name + o.type.value: o for o in stack_down(registry)}
    assert down["t" + T.EXPERIMENT_TRACKER.value].message == "suspended"
    assert not pid_alive(pid) and tracker.state == "suspended"
    stack_down(registry, force=True)
    assert tracker.state == "not provisioned"
