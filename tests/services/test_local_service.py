"""LocalService against a real ``python -m http.server`` daemon on 127.0.0.1."""

from __future__ import annotations

import os
import signal
import socket
import sys
import time

import pytest

from cairn.config import config_dir
from cairn.exceptions import ServiceError
from cairn.services import HealthCheck, LocalService, free_port, pid_alive, port_in_use
from cairn.services.process import process_cmdline

HTTP_SERVER = [sys.executable, "-m", "http.server", "{port}", "--bind", "{host}"]
HTTP_HEALTH = HealthCheck(kind="http", path="/")


def test_start_health_and_stop(service: LocalService) -> None:
    status = service.start(HTTP_SERVER, health=HTTP_HEALTH, timeout=20)
    assert status.running and status.pid is not None and status.port is not None
    assert service.path == config_dir() / "services" / "http-test"
    state = service.read_state()
    assert state.host == "127.0.0.1" and state.started_at is not None
    assert process_cmdline(status.pid) == state.cmdline
    assert port_in_use(status.port)
    # a second start is a no-op
    assert service.start(HTTP_SERVER, health=HTTP_HEALTH).pid == status.pid
    assert service.stop(grace=5) is True
    assert not pid_alive(status.pid)
    port = status.port
    deadline = time.monotonic() + 5  # (the kernel may take a moment with a closed socket)
    while port_in_use(port) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not port_in_use(port)
    assert service.status().state == "stopped"
    assert "starting" in service.log_file.read_text()


def test_daemon_is_detached_in_its_own_session(service: LocalService) -> None:
    status = service.start(HTTP_SERVER, health=HTTP_HEALTH, timeout=20)
    assert status.pid is not None
    assert os.getsid(status.pid) == status.pid != os.getsid(0)


def test_crash_is_detected(service: LocalService) -> None:
    status = service.start(HTTP_SERVER, health=HTTP_HEALTH, timeout=20)
    assert status.pid is not None
    os.kill(status.pid, signal.SIGKILL)
    from cairn.services.process import wait_gone

    assert wait_gone(status.pid, 10)
    observed = service.status()
    assert observed.state == "dead" and not service.is_running()
    # restart after the crash works and gets a live process
    again = service.start(HTTP_SERVER, health=HTTP_HEALTH, timeout=20)
    assert again.running and again.pid != status.pid


def test_stale_pid_of_another_process_is_not_ours(service: LocalService) -> None:
    service.start(HTTP_SERVER, health=HTTP_HEALTH, timeout=20)
    service.stop(grace=5)
    state = service.read_state()
    state.pid = os.getpid()  # a live pid that is not the daemon
    state.start_ticks = 1
    service.write_state(state)
    assert service.status().state == "replaced"
    assert service.stop() is False  # never signals a foreign process
    assert pid_alive(os.getpid())
    assert service.status().state == "stopped"


def test_port_taken_by_someone_else(service: LocalService) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        with pytest.raises(ServiceError, match=f"port {port}.*taken"):
            service.start(HTTP_SERVER, port=port, health=HTTP_HEALTH)
        # a dead service whose port is now used by another process says so
        state = service.read_state()
        state.pid, state.port = 999_999_999, port
        service.write_state(state)
        observed = service.status()
        assert observed.state == "dead" and "taken by another process" in observed.detail


def test_start_fails_with_log_tail_when_daemon_exits(service: LocalService) -> None:
    crash = [sys.executable, "-c", "import sys; print('boom on {port}'); sys.exit(3)"]
    with pytest.raises(ServiceError, match="exited during start-up") as info:
        service.start(crash, timeout=10)
    assert "boom on" in str(info.value)
    assert service.status().state == "stopped"


def test_start_timeout_stops_the_process(service: LocalService) -> None:
    silent = [sys.executable, "-c", "import time; time.sleep(60)"]
    with pytest.raises(ServiceError, match="not healthy within"):
        service.start(silent, timeout=1)
    assert service.status().state == "stopped"


def test_sigterm_ignored_then_sigkill(service: LocalService) -> None:
    stubborn = [sys.executable, "-c",
                "import signal, socket, time\n"
                "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
                "s = socket.socket(); s.bind(('{host}', {port})); s.listen()\n"
                "time.sleep(120)"]  # fmt: skip
    status = service.start(stubborn, timeout=20)
    assert status.pid is not None
    assert service.stop(grace=0.5) is True
    assert not pid_alive(status.pid)


def test_free_port_is_free() -> None:
    port = free_port()
    assert not port_in_use(port)


def test_remove_deletes_state(service: LocalService) -> None:
    service.start(HTTP_SERVER, health=HTTP_HEALTH, timeout=20)
    service.remove(grace=5)
    assert not service.path.exists()


def test_invalid_id() -> None:
    with pytest.raises(ValueError):
        LocalService("../x")


def test_concurrent_starts_make_one_daemon(service: LocalService) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(3) as pool:
        pids = set(pool.map(lambda _: service.start(HTTP_SERVER, health=HTTP_HEALTH,
                                                    timeout=20).pid, range(3)))  # fmt: skip
    assert len(pids) == 1
    assert service.stop(grace=5)
