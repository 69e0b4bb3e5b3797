"""The walkthrough of the spec (stacks, components, flavors), as real ``cairn`` processes."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from cairn.enums import StackComponentType

pytestmark = pytest.mark.slow

CUSTOM_STORE = """
from typing import ClassVar, Set

from cairn.artifact_stores import BaseArtifactStore


class MyCustomArtifactStore(BaseArtifactStore):
    \"\"\"Custom artifact store implementation.\"\"\"

    # Class configuration
    FLAVOR: ClassVar[str] = "custom"
    SUPPORTED_SCHEMES: ClassVar[Set[str]] = {"custom://"}

    def _make_filesystem(self):
        from fsspec.implementations.memory import MemoryFileSystem

        return MemoryFileSystem()
"""


def cairn_executable() -> list[str]:
    script = Path(sys.executable).with_name("cairn")
    return [str(script)] if script.exists() else [sys.executable, "-m", "cairn.cli.main"]


def cairn(*args: str) -> str:
    """Run ``cairn ARGS`` in the working folder; it must succeed; its stdout."""
    done = subprocess.run(
        [*cairn_executable(), *args], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, f"cairn {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    assert "Traceback" not in done.stderr
    return done.stdout


def rows(text: str) -> list[list[str]]:
    return [line.split() for line in text.splitlines()]


def test_spec_walkthrough(tmp_path: Path) -> None:
    project = Path.cwd()
    assert "Initialised a Cairn repository" in cairn("init")
    assert (project / ".cairn").is_dir()

    # a fresh repository shows the default local artifact store
    assert rows(cairn("artifact-store", "list"))[1][:3] == ["*", "default", "local"]
    assert rows(cairn("artifact-store", "flavor", "list"))[1][:2] == ["local", "builtin"]

    store_path = tmp_path / "my_artifacts"
    cairn("artifact-store", "register", "my_store", "--flavor=local", f"--path={store_path}")
    assert "my_store" in cairn("artifact-store", "list")

    # a custom flavor from the repository root: path.to.MyCustomArtifactStore
    package = project / "path" / "to"
    package.mkdir(parents=True)
    (project / "path" / "__init__.py").write_text("")
    (package / "__init__.py").write_text(textwrap.dedent(CUSTOM_STORE))
    out = cairn("artifact-store", "flavor", "register", "path.to.MyCustomArtifactStore")
    assert "Registered artifact-store flavor 'custom'" in out
    flavors = {r[0]: r for r in rows(cairn("artifact-store", "flavor", "list"))[1:]}
    assert flavors["custom"][1:4] == ["custom", "-", "yes"]

    cairn("stack", "register", "my_stack", "-o", "default", "-a", "my_store", "-m", "default")
    listed = {(r[1] if r[0] == "*" else r[0]): r for r in rows(cairn("stack", "list"))[1:]}
    assert listed["my_stack"][:4] == ["my_stack", "default", "my_store", "default"]
    assert listed["default"][0] == "*"

    assert "Active stack set to 'my_stack'" in cairn("stack", "set", "my_stack")
    assert "Active stack: 'my_stack'" in cairn("stack", "get")
    assert rows(cairn("stack", "list"))[2][:2] == ["*", "my_stack"]
    described = json.loads(cairn("stack", "describe", "--output", "json"))
    assert described["components"]["artifact_store"] == {"name": "my_store", "flavor": "local"}

    up = cairn("stack", "up")
    assert "artifact-store 'my_store': provisioned (running)" in up
    assert store_path.is_dir()
    down = cairn("stack", "down")  # only the local orchestrator's scheduler service stops
    assert "orchestrator 'default': suspended" in down
    assert "1 of 3 component(s) suspended" in down
    assert "artifact-store 'my_store'" in cairn("artifact-store", "up", "my_store")
    assert "artifact-store 'my_store'" in cairn("artifact-store", "down", "my_store")

    for ctype in StackComponentType:
        help_text = cairn(ctype.cli_name, "--help")
        assert f"Usage: cairn {ctype.cli_name}" in help_text
        assert "register" in help_text and "flavor" in help_text
    assert "stack" in cairn("--help")
    assert cairn("version").startswith("cairn ")
