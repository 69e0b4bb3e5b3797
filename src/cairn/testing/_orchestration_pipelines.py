"""Pipelines the orchestrator conformance suite runs (importable by any worker)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from cairn.pipelines import pipeline
from cairn.steps import step


@step
def source(value: int = 1) -> int:
    return value


@step
def add(x: int, y: int = 0) -> int:
    return x + y


@step
def nap(x: int, seconds: float = 0.5) -> int:
    time.sleep(seconds)
    return x


@step
def boom(x: int) -> int:
    raise ValueError(f"boom on {x}")


@step
def where() -> int:
    """The pid of the process that ran the step."""
    return os.getpid()


@step(retries=2)
def flaky(folder: str) -> int:
    """Fails on the first attempt (a marker file in ``folder`` tells the next one)."""
    marker = Path(folder) / "flaky-attempted"
    if not marker.exists():
        marker.write_text("1")
        raise RuntimeError("first attempt fails on purpose")
    return 7


@pipeline(enable_cache=False)
def diamond(value: int = 1, seconds: float = 0.5) -> None:
    a = source(value)
    b = nap.with_options(name="left")(a, seconds=seconds)
    c = nap.with_options(name="right")(a, seconds=seconds)
    add.with_options(name="join")(b, c)


@pipeline(enable_cache=False)
def failing(seconds: float = 1.0) -> None:
    a = source(1)
    boom(a)
    slow = nap.with_options(name="slow")(a, seconds=seconds)
    add.with_options(name="after_slow")(slow)


@pipeline(enable_cache=False)
def retrying(folder: str = "") -> None:
    flaky(folder)


@pipeline(enable_cache=False)
def sleeping(seconds: float = 60.0) -> None:
    nap.with_options(name="long")(source(1), seconds=seconds)


@pipeline(enable_cache=False)
def on_operator() -> None:
    where.with_options(step_operator="conformance-operator")()


@pipeline
def cached(value: int = 5) -> None:
    add.with_options(name="plus")(source(value))
