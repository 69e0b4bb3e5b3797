"""Runs side by side: parameters, metrics, step durations, cache reuse and outputs.

Each row holds one value per run (``None`` where a run lacks it) and says
whether the values differ. Metrics are the numbers steps logged with
``log_metadata`` (as ``step.key``); outputs are compared by content hash.
Durations differ when they are more than :data:`DURATION_TOLERANCE` apart
(relative), since no two runs take exactly as long.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from cairn.dashboard import models as m
from cairn.dashboard.data import run_summary
from cairn.dashboard.redact import redact

if TYPE_CHECKING:
    from cairn.client import Client, RunView

#: Relative difference above which two step durations count as different.
DURATION_TOLERANCE = 0.2
#: The most runs one comparison may hold.
MAX_RUNS = 10


def _same(values: list[Any]) -> bool:
    keys = [json.dumps(v, sort_keys=True, default=repr) for v in values]
    return len(set(keys)) <= 1


def _durations_same(values: list[Any]) -> bool:
    if any(v is None for v in values):
        return all(v is None for v in values)
    low, high = float(min(values)), float(max(values))
    return bool(high - low <= DURATION_TOLERANCE * max(high, 1e-9) or high - low < 0.05)


def _rows(
    columns: list[dict[str, Any]], same: Callable[[list[Any]], bool] = _same
) -> list[m.CompareCell]:
    keys = sorted({k for col in columns for k in col})
    rows = []
    for key in keys:
        values = [col.get(key) for col in columns]
        rows.append(m.CompareCell(key=key, values=values, differs=not same(values)))
    return rows


def _per_run(run: RunView) -> dict[str, dict[str, Any]]:
    metrics: dict[str, Any] = {}
    durations: dict[str, Any] = {}
    cached: dict[str, Any] = {}
    outputs: dict[str, Any] = {}
    for name, step in run.steps.items():
        durations[name] = None if step.duration is None else round(step.duration, 3)
        cached[name] = step.cached
        for key, value in step.metadata.items():
            if isinstance(value, int | float) and not isinstance(value, bool):
                metrics[f"{name}.{key}"] = value
        for out_name, artifact in step.outputs.items():
            outputs[f"{name}.{out_name}"] = artifact.content_hash or artifact.id
    return {"metrics": metrics, "durations": durations, "cached": cached, "outputs": outputs}


def compare_runs(client: Client, names_or_ids: list[str]) -> m.Comparison:
    """Compare the given runs (2 to :data:`MAX_RUNS`, of one pipeline or several)."""
    runs = [client.get_run(n) for n in names_or_ids[:MAX_RUNS]]
    counts = client.step_status_counts([r.id for r in runs])
    per_run = [_per_run(r) for r in runs]
    return m.Comparison(
        runs=[run_summary(r, counts.get(r.id, {})) for r in runs],
        parameters=_rows([redact(r.parameters) for r in runs]),
        metrics=_rows([p["metrics"] for p in per_run]),
        durations=_rows([p["durations"] for p in per_run], _durations_same),
        cached=_rows([p["cached"] for p in per_run]),
        outputs=_rows([p["outputs"] for p in per_run]),
    )
