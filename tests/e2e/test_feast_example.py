"""examples/feast_features: create the Feast repository, train on historical features, then
read online features from Redis for inference."""

from __future__ import annotations

import contextlib
import importlib.util
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "feast_features"


def _require_redis() -> None:
    path = Path(__file__).resolve().parents[1] / "conftest.py"
    spec = importlib.util.spec_from_file_location("_cairn_tests_root_conftest", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.require_server("Redis", 6379)


@pytest.mark.slow
@pytest.mark.server
@pytest.mark.integration
def test_feast_example_trains_and_predicts_from_redis(tmp_path: Path) -> None:
    pytest.importorskip("feast")
    pytest.importorskip("sklearn")
    _require_redis()
    project = f"cairn_example_{uuid.uuid4().hex[:8]}"
    repo = tmp_path / "repo"
    run = subprocess.run(
        [sys.executable, str(EXAMPLE / "run.py"), "--repo", str(repo), "--project", project,
         "--rows", "300"],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    try:
        assert run.returncode == 0, run.stdout + run.stderr
        assert "completed; test accuracy" in run.stdout
        assert "Online store loaded with: driver_stats" in run.stdout
        accuracy = float(run.stdout.split("test accuracy ")[1].split()[0])
        assert accuracy > 0.7  # the labels follow the features, so the model learns them
        predict = subprocess.run(
            [sys.executable, str(EXAMPLE / "predict.py"), "1001", "1010"],
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert predict.returncode == 0, predict.stdout + predict.stderr
        lines = predict.stdout.strip().splitlines()
        assert [line.split(":")[0] for line in lines] == ["driver 1001", "driver 1010"]
        assert all("conv_rate=" in line and "completes next trip: " in line for line in lines)
    finally:
        _remove_project(repo, project)


def _remove_project(repo: Path, project: str) -> None:
    """``feast teardown``, then delete what is left of this test's project in Redis."""
    import redis

    from cairn.integrations.feast.feature_store import _feast_command

    if (repo / "feature_store.yaml").exists():
        with contextlib.suppress(subprocess.TimeoutExpired):
            subprocess.run([*_feast_command(), "teardown"], cwd=repo, capture_output=True,
                           timeout=300, check=False)  # fmt: skip
    client = redis.Redis(host="127.0.0.1", port=6379)
    try:
        left = list(client.scan_iter(match=f"*{project}", count=1000))  # keys end with it
        if left:
            client.delete(*left)
    finally:
        client.close()
