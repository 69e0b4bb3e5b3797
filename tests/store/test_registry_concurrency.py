"""Several CLI processes writing the registry at once: all succeed, nothing is lost."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from cairn.enums import StackComponentType as T
from cairn.store.registry_store import SQLiteRegistryStore

WORKER = """
import sys, time
from pathlib import Path
from cairn.enums import StackComponentType as T
from cairn.stack.registry import StackRegistry

tag, go, data, count = sys.argv[1], Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])
while not go.exists():
    time.sleep(0.002)
registry = StackRegistry()
for i in range(count):
    name = f"{tag}-{i}"
    registry.register_component(T.ARTIFACT_STORE, name, "local", {"path": f"{data}/{name}"})
    if i % 5 == 0:
        registry.register_stack(
            f"stack-{name}",
            {T.ORCHESTRATOR: "default", T.ARTIFACT_STORE: name, T.METADATA_STORE: "default"},
        )
print("ok", tag)
"""

COUNT = 40


@pytest.mark.slow
def test_two_processes_registering_at_once_both_succeed(
    tmp_path: Path, isolated_config: Path
) -> None:
    go = tmp_path / "go"
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, tag, str(go), str(tmp_path / "data"), str(COUNT)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for tag in ("p1", "p2")
    ]
    time.sleep(0.3)  # let both import Cairn, then release them together (not an assertion)
    go.touch()
    results = [w.communicate(timeout=120) for w in workers]
    for worker, (out, err) in zip(workers, results, strict=True):
        assert worker.returncode == 0, err
        assert out.startswith("ok")

    with SQLiteRegistryStore(isolated_config / "registry.db", tmp_path) as store:
        names = {c.name for c in store.list_components(T.ARTIFACT_STORE)}
        expected = {f"{tag}-{i}" for tag in ("p1", "p2") for i in range(COUNT)}
        assert names == expected | {"default"}
        stacks = {s.name for s in store.list_stacks()}
        assert stacks == {"default"} | {f"stack-{n}" for n in expected if int(n[3:]) % 5 == 0}
        assert len(store.list_components()) == 2 * COUNT + 4
