"""Fixtures of the dashboard tests: real runs recorded on the default stack, and the app."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import pytest

from cairn.client import Client, RunView
from cairn.exceptions import PipelineRunFailedError

from .pipelines import failing, fanout, training


@dataclass
class Recorded:
    """The runs recorded for a test."""

    first: RunView
    second: RunView
    failed: RunView
    fanned: RunView


def record_runs() -> Recorded:
    """Run ``training`` twice (the second reuses ``load``), ``failing`` and ``fanout``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        first = training(lr=0.1).run(run_name="train-a")
        second = training(lr=0.3).run(run_name="train-b")
        with pytest.raises(PipelineRunFailedError):
            failing().run(run_name="broken")
        fanned = fanout().run(run_name="fanned")
    return Recorded(first, second, Client().get_run("broken"), fanned)


@pytest.fixture
def recorded() -> Recorded:
    return record_runs()


@pytest.fixture
def api(recorded: Recorded) -> Any:
    """A test client of the dashboard app over the recorded runs."""
    from fastapi.testclient import TestClient

    from cairn.dashboard import create_app

    with TestClient(create_app(Client())) as client:
        yield client
