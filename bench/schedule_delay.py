"""Start delay of scheduled runs on the local scheduler service.

A 2-step pipeline is scheduled every ``--interval`` seconds on the default stack of a
fresh temporary CAIRN_CONFIG_DIR (``cairn stack up`` starts the scheduler). For each of
``--runs`` runs it reports how long after its slot the run was recorded (the child
process started, imported Cairn and the pipeline's module, built the stack) and its
first step started. The scheduler is stopped at the end.

With ``--orchestrator airflow`` the stack's orchestrator is ``airflow`` (its service,
started by ``cairn stack up``, runs Airflow's scheduler, DAG processor and API server);
use an interval longer than a run (Airflow runs one DAG run at a time).

Usage: python bench/schedule_delay.py [--runs 10] [--interval 3] [--orchestrator local|airflow]
"""

from __future__ import annotations

import argparse
import importlib
import os
import statistics
import sys
import tempfile
import textwrap
import time
from pathlib import Path

PIPELINE = """
from cairn import pipeline, step

@step
def make() -> int:
    return 3

@step
def double(x: int) -> int:
    return 2 * x

@pipeline
def tiny():
    double(make())
"""


def _quantiles(values: list[float]) -> str:
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
    return f"median {statistics.median(ordered) * 1000:.0f} ms, p90 {p90 * 1000:.0f} ms, " \
        f"max {ordered[-1] * 1000:.0f} ms"  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--interval", type=float, default=3.0)
    parser.add_argument("--orchestrator", choices=("local", "airflow"), default="local")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["CAIRN_CONFIG_DIR"] = str(Path(tmp) / "config")
        os.environ["AIRFLOW_HOME"] = str(Path(tmp) / "airflow")
        work = Path(tmp) / "work"
        work.mkdir()
        os.chdir(work)
        (work / "bench_tiny.py").write_text(textwrap.dedent(PIPELINE), encoding="utf-8")
        sys.path.insert(0, str(work))
        from cairn import Schedule
        from cairn.execution.schedules import ScheduleStore
        from cairn.stack import StackRegistry
        from cairn.stack.lifecycle import stack_down, stack_up

        if args.orchestrator == "airflow":
            from cairn.enums import StackComponentType as T

            registry = StackRegistry()
            registry.register_component(T.ORCHESTRATOR, "af", "airflow", {})
            default = {c.TYPE: c.name for c in registry.get_stack("default")}
            registry.register_stack("af", {**default, T.ORCHESTRATOR: "af"}, activate=True)
            registry.set_active_stack("af")
        stack_up(StackRegistry())
        try:
            tiny = importlib.import_module("bench_tiny").tiny
            record = tiny().run(schedule=Schedule(name="bench", interval=args.interval))
            store = StackRegistry().get_stack().metadata_store
            deadline = time.monotonic() + args.runs * args.interval + 60
            while time.monotonic() < deadline:
                done = [r for r in store.list_runs(limit=1000) if r.status.is_finished]
                if len(done) >= args.runs:
                    break
                time.sleep(0.5)
            slots = {name: slot for slot, name in ScheduleStore(store).slots(record.id, 1000)}
        finally:
            stack_down(StackRegistry())
        recorded, first_step = [], []
        for run in done[: args.runs]:
            slot = slots[run.name]
            recorded.append(run.created - slot)
            starts = [s.started for s in store.get_step_runs(run.id) if s.started is not None]
            first_step.append(min(starts) - slot)
    where = "local scheduler, poll 1 s" if args.orchestrator == "local" else "Airflow service"
    print(f"{len(recorded)} scheduled runs, every {args.interval:g} s ({where})")
    print(f"run recorded after its slot: {_quantiles(recorded)}")
    print(f"first step started after its slot: {_quantiles(first_step)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
