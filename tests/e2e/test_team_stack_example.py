"""examples/team_stack: the quickstart on S3 (moto) and PostgreSQL from a shared registry,
read back by a second process with its own config folder."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "team_stack" / "run.py"


def _require_postgresql() -> None:
    path = Path(__file__).resolve().parents[1] / "conftest.py"
    spec = importlib.util.spec_from_file_location("_cairn_tests_root_conftest", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.require_server("PostgreSQL", 5432)


@pytest.mark.slow
@pytest.mark.server
@pytest.mark.integration
def test_team_stack_example_runs_and_a_second_machine_reads_back(tmp_path: Path) -> None:
    pytest.importorskip("s3fs")
    pytest.importorskip("sklearn")
    _require_postgresql()
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    run = subprocess.run([sys.executable, str(EXAMPLE)], capture_output=True, text=True,
                         timeout=900, cwd=cwd)  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert "machine A: stack 'team' in the shared registry" in run.stdout
    assert "machine A: run 'team-quickstart' completed on stack 'team'" in run.stdout
    assert "machine B: run 'team-quickstart' is completed; metrics from s3://" in run.stdout
    metrics = run.stdout.split("machine B:", 1)[1].splitlines()[1]
    accuracy = float(metrics.split("accuracy=")[1].split(",")[0])
    assert accuracy > 0.9  # the quickstart's model, loaded back from the bucket
    assert "example-secret" not in run.stdout + run.stderr
    assert not list(cwd.iterdir())  # nothing left in the working folder
