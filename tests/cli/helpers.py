"""Helpers of the CLI tests: invoke ``cairn`` in-process, test flavors, store snapshots."""

from __future__ import annotations

import importlib
import textwrap
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from cairn.cli.main import cli
from cairn.stack.registry import open_registry_store

STATEFUL_ALERTER = """
from pathlib import Path
from typing import ClassVar

from pydantic import SecretStr

from cairn.alerters import BaseAlerter


class StatefulAlerter(BaseAlerter):
    '''An alerter with real state on disk, to test up/down; fails on demand.'''

    FLAVOR: ClassVar[str] = "stateful"

    retries: int = 1
    token: SecretStr | None = None
    fail_on: str = ""

    def _post(self, message, params):
        pass

    @property
    def _state(self) -> Path:
        return self.local_path / "state"

    @property
    def log_file(self) -> Path:
        return self.local_path / "alerter.log"

    def _log(self, line: str) -> None:
        self.local_path.mkdir(parents=True, exist_ok=True)
        with open(self.log_file, "a", encoding="utf-8") as handle:
            handle.write(line + "\\n")

    @property
    def is_provisioned(self) -> bool:
        return self._state.exists()

    @property
    def is_running(self) -> bool:
        return self.is_provisioned and self._state.read_text() == "running"

    def provision(self) -> None:
        self._log("provisioning")
        if self.fail_on == "provision":
            raise RuntimeError("cannot provision")
        self._state.write_text("suspended")

    def resume(self) -> None:
        self._log("resuming")
        if self.fail_on == "resume":
            self._log("port 4321 is already taken")
            raise RuntimeError("the daemon did not start")
        self._state.write_text("running")

    def suspend(self) -> None:
        self._log("suspending")
        self._state.write_text("suspended")

    def deprovision(self) -> None:
        self._log("deprovisioning")
        self._state.unlink(missing_ok=True)
"""

CUSTOM_STORE = """
from typing import ClassVar

from cairn.artifact_stores import BaseArtifactStore


class MyCustomArtifactStore(BaseArtifactStore):
    FLAVOR: ClassVar[str] = "custom"
    SUPPORTED_SCHEMES: ClassVar[set[str]] = {"custom://"}

    def _make_filesystem(self):
        from fsspec.implementations.memory import MemoryFileSystem

        return MemoryFileSystem()
"""

Invoke = Callable[..., Result]


def invoke(*args: str, input: str | None = None, code: int = 0) -> Result:
    """Run ``cairn ARGS`` in-process; check the exit code."""
    result = CliRunner().invoke(cli, list(args), input=input)
    assert result.exit_code == code, (result.output, result.exception)
    return result


def fail(*args: str, input: str | None = None) -> str:
    """Run a command that must fail with one ``Error:`` line and no traceback; its stderr."""
    result = invoke(*args, input=input, code=1)
    assert result.stderr.startswith("Error: "), result.output
    assert "Traceback" not in result.output
    return result.stderr


def snapshot() -> tuple[Any, ...]:
    """Everything in the registry store, to check that a failed command changed nothing."""
    store = open_registry_store()
    try:
        return (
            store.list_components(),
            store.list_stacks(),
            store.list_flavors(),
            store.get_active_stack_name(),
        )
    finally:
        store.close()  # type: ignore[attr-defined]


def write_module(source: str, folder: Path | None = None, prefix: str = "cli_mod") -> str:
    """Write a uniquely named module into ``folder`` (default: working folder); its name."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    target = folder or Path.cwd()
    target.mkdir(parents=True, exist_ok=True)
    (target / f"{name}.py").write_text(textwrap.dedent(source), encoding="utf-8")
    importlib.invalidate_caches()
    return name
