"""The ``postgresql`` and ``mysql`` metadata stores next to ``sqlite``.

1. **Per-step overhead** of a chain of trivial steps (caching off), on each store:
   ``(time of a 50-step run - time of a 1-step run) / 49``, median of ``--repeats``.
2. **Concurrency**: ``--processes`` processes each run ``--runs`` two-step
   pipelines at once against one store; then every run must be completed, every
   step completed and every output artifact recorded (no error, no lost row).

PostgreSQL (127.0.0.1:5432, trust) and MariaDB (127.0.0.1:3306, root) must be
running; each gets a fresh database, dropped at the end. Each part uses a fresh
temporary CAIRN_CONFIG_DIR.

Usage: python bench/server_metadata_stores.py [--repeats 3] [--processes 8] [--runs 50]
       [--stores sqlite,postgresql,mysql] [--skip-concurrency]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from cairn import pipeline, step

ADMIN = {
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
    "mysql": "mysql+pymysql://root@127.0.0.1:3306/",
}


@step
def first() -> int:
    return 0


@step
def increment(x: int) -> int:
    return x + 1


def chain(length: int) -> Any:
    @pipeline(name=f"chain_{length}", enable_cache=False)
    def _chain() -> None:
        value = first()
        for _ in range(length - 1):
            value = increment(value)

    return _chain


@pipeline(name="pair", enable_cache=False)
def pair() -> None:
    increment(first())


@contextmanager
def database(flavor: str) -> Iterator[dict[str, Any]]:
    """The metadata store parameters of a fresh database (a temporary file for sqlite)."""
    if flavor == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            yield {"uri": os.path.join(tmp, "metadata.db")}
        return
    import sqlalchemy as sa

    name = f"cairn_bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(ADMIN[flavor], isolation_level="AUTOCOMMIT",
                             poolclass=sa.pool.NullPool)  # fmt: skip
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    try:
        yield {"database": name}
    finally:
        close_connections(flavor)
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE {name}")
        admin.dispose()


def close_connections(flavor: str) -> None:
    """Close this process's pooled connections to the bench database (before dropping it)."""
    from cairn.enums import StackComponentType as T
    from cairn.exceptions import CairnError
    from cairn.stack import StackRegistry
    from cairn.store.metadata.engine import dispose_engine

    try:
        store = StackRegistry().get_component(T.METADATA_STORE, f"bench_{flavor}")
    except CairnError:
        return
    dispose_engine(store.connection_url())  # type: ignore[attr-defined]


def use_store(flavor: str, params: dict[str, Any]) -> str:
    from cairn.enums import StackComponentType as T
    from cairn.stack import StackRegistry

    registry = StackRegistry()
    name = f"bench_{flavor}"
    registry.register_component(T.METADATA_STORE, name, flavor, params)
    components = dict(registry.store.get_stack("default").components)
    components[T.METADATA_STORE] = name
    registry.register_stack(name, components, activate=True)
    return name


def timed_run(length: int) -> float:
    start = time.perf_counter()
    chain(length)().run()
    return time.perf_counter() - start


def overhead(flavor: str, repeats: int) -> float:
    with tempfile.TemporaryDirectory() as config, database(flavor) as params:
        os.environ["CAIRN_CONFIG_DIR"] = config
        use_store(flavor, params)
        timed_run(2)  # warm-up: migrations, imports
        one = statistics.median(timed_run(1) for _ in range(repeats))
        fifty = statistics.median(timed_run(50) for _ in range(repeats))
    return (fifty - one) / 49


WORKER = """
import sys
sys.path.insert(0, sys.argv[2])
from server_metadata_stores import pair
errors = 0
for i in range(int(sys.argv[1])):
    try:
        run = pair().run()
        errors += str(run.status) != "completed"
    except Exception as exc:
        errors += 1
        print(f"error: {exc}", file=sys.stderr)
print(errors)
"""


def concurrency(flavor: str, processes: int, runs: int) -> tuple[int, int, str, float]:
    """Returns (errors, completed runs, consistency verdict, seconds)."""
    from cairn.client import Client

    here = os.path.dirname(os.path.abspath(__file__))
    with tempfile.TemporaryDirectory() as config, database(flavor) as params:
        os.environ["CAIRN_CONFIG_DIR"] = config
        stack = use_store(flavor, params)
        pair().run()  # migrate once before the crowd arrives
        env = {**os.environ, "CAIRN_ACTIVE_STACK": stack}
        start = time.perf_counter()
        command = [sys.executable, "-c", WORKER, str(runs), here]
        procs = [
            subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
            for _ in range(processes)
        ]
        outputs = [(p.communicate()[0] or "1").strip().splitlines() for p in procs]
        errors = sum(int(lines[-1]) if lines else 1 for lines in outputs)
        seconds = time.perf_counter() - start
        store = Client().metadata_store
        listed = store.list_runs(pipeline="pair", limit=100_000)
        done = [r for r in listed if str(r.status) == "completed"]
        bad = [r.id for r in done if not _consistent(store, r.id)]
        verdict = "every row consistent" if not bad else f"{len(bad)} runs inconsistent"
        return errors, len(done) - 1, verdict, seconds


def _consistent(store: Any, run_id: str) -> bool:
    steps = store.get_step_runs(run_id)
    if len(steps) != 2 or any(str(s.status) != "completed" for s in steps):
        return False
    outputs = [store.get_step_outputs(s.id) for s in steps]
    second = next(s for s in steps if s.name == "increment")
    return all(len(o) == 1 for o in outputs) and bool(store.get_step_inputs(second.id))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--stores", default="sqlite,postgresql,mysql")
    parser.add_argument("--skip-concurrency", action="store_true")
    args = parser.parse_args()
    flavors = args.stores.split(",")
    print(f"load {os.getloadavg()[0]:.2f} at start")
    for flavor in flavors:
        print(f"{flavor:<10} per-step overhead, 50-step chain: "
              f"{overhead(flavor, args.repeats) * 1000:6.1f} ms", flush=True)  # fmt: skip
    if not args.skip_concurrency:
        for flavor in flavors:
            if flavor == "sqlite":
                continue
            errors, done, verdict, seconds = concurrency(flavor, args.processes, args.runs)
            print(f"{flavor:<10} {args.processes} processes x {args.runs} runs: {done} completed, "
                  f"{errors} errors, {verdict}, {seconds:.1f} s", flush=True)  # fmt: skip
    print(f"load {os.getloadavg()[0]:.2f} at end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
