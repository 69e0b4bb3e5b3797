"""The quickstart example end to end: ``python examples/quickstart/run.py`` (``make demo``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cairn.client import Client
from cairn.enums import ExecutionStatus

RUN_PY = Path(__file__).resolve().parents[2] / "examples" / "quickstart" / "run.py"


def _run(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(RUN_PY), *args], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.slow
def test_quickstart_trains_logs_metrics_and_caches() -> None:
    output = _run()
    assert "completed" in output and "metrics: accuracy=" in output
    assert "artifacts are under" in output
    run = Client().get_pipeline("quickstart").runs[-1]
    assert run.status == ExecutionStatus.COMPLETED
    assert list(run.steps) == ["load_data", "split", "train_model", "evaluate"]
    metadata = run.steps["evaluate"].metadata
    assert metadata["accuracy"] > 0.9 and 0.9 < metadata["roc_auc"] <= 1.0
    assert run.steps["load_data"].metadata["rows"] == 569
    model = run.steps["train_model"].outputs["model"]
    assert Path(model.uri).exists()
    assert [c.name for c in model.consumers] == ["evaluate"]

    _run("--C", "0.5")
    second = Client().get_pipeline("quickstart").runs[-1]
    statuses = {name: step.status for name, step in second.steps.items()}
    assert statuses == {
        "load_data": ExecutionStatus.CACHED,
        "split": ExecutionStatus.CACHED,
        "train_model": ExecutionStatus.COMPLETED,
        "evaluate": ExecutionStatus.COMPLETED,
    }
