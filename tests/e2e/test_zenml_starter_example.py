"""The ZenML-style starter example end to end: train twice, promote, run inference."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cairn.client import Client

RUN_PY = Path(__file__).resolve().parents[2] / "examples" / "zenml_starter" / "run.py"


def _run(*args: str, code: int = 0) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, str(RUN_PY), *args], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == code, done.stderr
    assert "never run" not in done.stderr
    return done


@pytest.mark.slow
def test_train_promote_and_infer() -> None:
    assert "no version 'production'" in _run("--inference", code=1).stderr
    first = _run().stdout
    assert "model version 1 (production)" in first
    _run("--C", "0.0001")  # a much weaker model is not promoted
    client = Client()
    versions = client.list_model_versions("breast_cancer_classifier")
    assert [(v.number, v.stage) for v in versions] == [(2, None), (1, "production")]
    production = client.get_model_version("breast_cancer_classifier", "production")
    assert production.run_metadata["license"] == "Apache 2.0"
    assert {"sklearn_classifier", "preprocess_pipeline", "dataset_trn"} <= set(production.artifacts)
    out = _run("--inference").stdout
    assert "completed" in out and "predictions" in out
    run = client.list_runs(pipeline="inference", limit=1)[0]
    predictions = run.steps["inference_predict"].output.load()
    assert set(predictions.unique()) <= {0, 1} and len(predictions) > 10
