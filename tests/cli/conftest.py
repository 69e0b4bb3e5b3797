"""Fixtures of the CLI tests: a clean import state and a stateful test flavor."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from .helpers import STATEFUL_ALERTER, invoke, write_module


@pytest.fixture(autouse=True)
def restore_imports(tmp_path: Path) -> Iterator[None]:
    """Undo sys.path entries a test adds and forget modules imported from its folder."""
    path, modules = list(sys.path), set(sys.modules)
    yield
    sys.path[:] = path
    for name in set(sys.modules) - modules:
        if (getattr(sys.modules[name], "__file__", None) or "").startswith(str(tmp_path)):
            del sys.modules[name]
    importlib.invalidate_caches()


@pytest.fixture
def stateful() -> str:
    """Register the ``stateful`` alerter flavor (module in the working folder)."""
    module = write_module(STATEFUL_ALERTER, prefix="stateful")
    invoke("alerter", "flavor", "register", f"{module}.StatefulAlerter")
    return module


@pytest.fixture
def stack_with_alerter(stateful: str) -> str:
    """An active stack ``alerting``: the default components plus the alerter ``bell``."""
    invoke("alerter", "register", "bell", "--flavor=stateful")
    invoke("stack", "register", "alerting", "-o", "default", "-a", "default", "-m", "default",
           "-al", "bell", "--set")  # fmt: skip
    return "alerting"
