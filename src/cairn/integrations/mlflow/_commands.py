"""Command lines of the MLflow processes Cairn runs (no MLflow import here)."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def mlflow_command() -> list[str]:
    """How to run the ``mlflow`` CLI of the current interpreter's environment."""
    script = Path(sys.executable).parent / "mlflow"
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-m", "mlflow"]


def service_env(**extra: str) -> dict[str, str]:
    """The environment of an MLflow daemon: ours, without a tracking URI override.

    The interpreter's ``bin`` folder comes first on ``PATH``: MLflow starts helper
    programs (``uvicorn``, ``gunicorn``) by name.
    """
    env = {k: v for k, v in os.environ.items() if k != "MLFLOW_TRACKING_URI"}
    bin_dir = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join([bin_dir, env.get("PATH", os.defpath)])
    env.update(extra)
    return env
