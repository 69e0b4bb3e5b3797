"""Pipelines the dashboard tests run for real (importable by path, for step subprocesses)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

from cairn import log_metadata, pipeline, step


@step
def load(rows: int = 5) -> Any:
    import pandas as pd

    return pd.DataFrame({"x": list(range(rows)), "y": [2.0 * i for i in range(rows)]})


@step(enable_cache=False)
def train(
    data: Any, lr: float = 0.1
) -> tuple[Annotated[Any, "weights"], Annotated[float, "accuracy"]]:
    import numpy as np

    print(f"training with lr={lr} on {len(data)} rows")
    accuracy = round(0.5 + lr, 4)
    log_metadata(accuracy=accuracy, epochs=3)
    return np.arange(12, dtype="float64").reshape(3, 4) * lr, accuracy


@step(enable_cache=False)
def report(weights: Any, accuracy: float) -> str:
    return f"accuracy {accuracy}, weights of shape {weights.shape}"


@pipeline
def training(lr: float = 0.1, rows: int = 5) -> None:
    data = load(rows=rows)
    weights, accuracy = train(data, lr=lr)
    report(weights, accuracy)


@step
def prepare() -> int:
    return 3


@step(enable_cache=False)
def explode(n: int) -> int:
    raise ValueError(f"cannot explode {n} things")


@pipeline
def failing() -> None:
    explode(prepare())


@step
def seed() -> int:
    return 1


@step(enable_cache=False)
def square(x: int, k: int = 0) -> int:
    return (x + k) ** 2


@step(enable_cache=False)
def total(a: int, b: int, c: int, d: int, e: int, f: int) -> int:
    return a + b + c + d + e + f


@pipeline
def fanout() -> None:
    x = seed()
    parts = [square(x, k=k) for k in range(6)]
    total(*parts)


@step(enable_cache=False)
def begin() -> int:
    return 1


@step(enable_cache=False)
def wait_for(x: int, gate: str = "") -> int:
    """Runs until the file ``gate`` exists (the test creates it), at most 120 s."""
    print("waiting for the gate")
    deadline = time.monotonic() + 120
    while gate and not Path(gate).exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    return x + 1


@step(enable_cache=False)
def finish(x: int) -> int:
    return x * 10


@pipeline(enable_cache=False)
def gated(gate: str = "") -> None:
    finish(wait_for(begin(), gate=gate))
