"""Per-step overhead of the ``airflow`` orchestrator (``airflow dags test``, Airflow 3).

Chains of trivial steps (``--short`` and ``--long`` steps) run on a stack whose
orchestrator is ``airflow``, in a fresh temporary CAIRN_CONFIG_DIR (Airflow's
home is under it; its database is created before timing). The per-step overhead
is the slope between the two chain lengths; the fixed cost is what a run takes
beyond its steps. The same chains on the local orchestrator in ``processes``
mode (one Python process per step, as with Airflow) are timed for comparison.

Usage: python bench/airflow_overhead.py [--short 1] [--long 6] [--repeats 2]
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

MODULE = """
from cairn import pipeline, step

@step
def first() -> int:
    return 0

@step
def increment(x: int) -> int:
    return x + 1

def chain(n):
    @pipeline(name=f"chain{n}", enable_cache=False)
    def p():
        value = first()
        for _ in range(n - 1):
            value = increment(value)
    return p
"""


def _time(make, steps: int, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        make(steps)().run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--short", type=int, default=1)
    parser.add_argument("--long", type=int, default=6)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["CAIRN_CONFIG_DIR"] = str(Path(tmp) / "config")
        os.environ["AIRFLOW_HOME"] = str(Path(tmp) / "airflow-unused")
        os.environ["CAIRN_QUIET"] = "1"
        work = Path(tmp) / "work"
        work.mkdir()
        os.chdir(work)
        (work / "bench_chain.py").write_text(textwrap.dedent(MODULE), encoding="utf-8")
        sys.path.insert(0, str(work))
        from cairn.enums import StackComponentType as T
        from cairn.stack import StackRegistry

        chain = importlib.import_module("bench_chain").chain
        registry = StackRegistry()
        registry.register_component(T.ORCHESTRATOR, "af", "airflow", {})
        registry.register_component(T.ORCHESTRATOR, "procs", "local", {"mode": "processes"})
        default = {c.TYPE: c.name for c in registry.get_stack("default")}
        results = {}
        for orchestrator in ("af", "procs"):
            registry.register_stack(orchestrator, {**default, T.ORCHESTRATOR: orchestrator})
            registry.set_active_stack(orchestrator)
            if orchestrator == "af":
                registry.get_stack().orchestrator.ensure_database()  # type: ignore[attr-defined]
            short = _time(chain, args.short, args.repeats)
            long = _time(chain, args.long, args.repeats)
            per_step = (long - short) / (args.long - args.short)
            results[orchestrator] = (short, long, per_step, short - args.short * per_step)
    for name, label in (("af", "airflow (dags test)"), ("procs", "local, processes mode")):
        short, long, per_step, fixed = results[name]
        print(f"{label}: {args.short} step {short:.2f} s, {args.long} steps {long:.2f} s; "
              f"per step {per_step:.2f} s, fixed {fixed:.2f} s")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
