"""A run's DAG: its steps (run or still to run) and the edges between them.

The nodes come from the pipeline's recorded spec (so steps that have not
started yet show as ``pending``) merged with the run's step runs; a step run
that the spec does not know (the spec changed since) gets its edges from the
producers of its inputs.
"""

from __future__ import annotations

import heapq
from typing import TYPE_CHECKING, Any

from cairn.dashboard.models import DagEdge, StepSummary

if TYPE_CHECKING:
    from cairn.client import RunView, StepView


def _summary(name: str, step: StepView | None, source: str | None) -> StepSummary:
    if step is None:
        return StepSummary(id=None, name=name, source=source, status="pending")
    r = step.record
    return StepSummary(
        id=r.id,
        name=r.name,
        source=source,
        status=str(r.status),
        cached=r.cached,
        started=r.started,
        finished=r.finished,
        duration=r.duration,
        attempts=r.attempts,
    )


def _spec_edges(name: str, spec_step: dict[str, Any]) -> list[DagEdge]:
    labels: dict[str, list[str]] = {}
    for arg, source in (spec_step.get("inputs") or {}).items():
        if isinstance(source, dict) and isinstance(source.get("step"), str):
            labels.setdefault(source["step"], []).append(arg)
    ups = [u for u in spec_step.get("upstream") or [] if isinstance(u, str)]
    return [DagEdge(source=u, target=name, label=", ".join(labels.get(u, []))) for u in ups]


def _input_edges(step: StepView, run_id: str) -> list[DagEdge]:
    edges = []
    for arg, artifact in step.inputs.items():
        producer = artifact.producer
        if producer is not None and producer.record.run_id == run_id:
            edges.append(DagEdge(source=producer.name, target=step.name, label=arg))
    return edges


def run_dag(run: RunView, spec: dict[str, Any]) -> tuple[list[StepSummary], list[DagEdge]]:
    """The nodes and edges of ``run``'s DAG, in the spec's (topological) order."""
    steps = run.steps
    spec_steps: dict[str, Any] = spec.get("steps") or {}
    if not isinstance(spec_steps, dict):
        spec_steps = {}
    nodes: list[StepSummary] = []
    edges: list[DagEdge] = []
    for name, spec_step in spec_steps.items():
        if not isinstance(spec_step, dict):
            continue
        nodes.append(_summary(name, steps.get(name), spec_step.get("source")))
        edges.extend(_spec_edges(name, spec_step))
    for name, step in steps.items():
        if name not in spec_steps:
            nodes.append(_summary(name, step, None))
            edges.extend(_input_edges(step, run.id))
    known = {n.name for n in nodes}
    edges = [e for e in edges if e.source in known and e.target in known]
    return _ordered(nodes, edges), edges


def _ordered(nodes: list[StepSummary], edges: list[DagEdge]) -> list[StepSummary]:
    """``nodes`` in a topological order; among ready steps, those that started first."""
    by_name = {n.name: n for n in nodes}
    waiting = {n.name: 0 for n in nodes}
    children: dict[str, list[str]] = {n.name: [] for n in nodes}
    for e in edges:
        waiting[e.target] += 1
        children[e.source].append(e.target)

    def key(name: str) -> tuple[float, str]:
        started = by_name[name].started
        return (started if started is not None else float("inf"), name)

    ready = [(key(n), n) for n, count in waiting.items() if count == 0]
    heapq.heapify(ready)
    order: list[StepSummary] = []
    while ready:
        _, name = heapq.heappop(ready)
        order.append(by_name[name])
        for child in children[name]:
            waiting[child] -= 1
            if waiting[child] == 0:
                heapq.heappush(ready, (key(child), child))
    seen = {n.name for n in order}
    return order + [n for n in nodes if n.name not in seen]  # a cycle: keep the rest
