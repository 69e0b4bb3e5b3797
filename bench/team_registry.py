"""``cairn stack list`` on the local SQLite registry and on a shared PostgreSQL/MariaDB one.

Each command runs ``--repeat`` times as a fresh process (the package's own bytecode
cache), with its own temporary
``CAIRN_CONFIG_DIR``; for the shared registries a fresh database is created on
127.0.0.1 (PostgreSQL trust / MariaDB root), connected with ``CAIRN_REGISTRY_URL``,
filled with ``--stacks`` stacks, and dropped at the end. Prints the median and the
90th percentile of wall time and the median CPU time (user + system) in ms.

Run: ``.venv/bin/python bench/team_registry.py [--repeat 15] [--stacks 10]``
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

SERVERS = {
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:5432",
    "mariadb": "mysql+pymysql://root@127.0.0.1:3306",
}


def cairn() -> list[str]:
    script = Path(sys.executable).with_name("cairn")
    return [str(script)] if script.exists() else [sys.executable, "-m", "cairn.cli.main"]


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu, start = usage.ru_utime + usage.ru_stime, time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, check=False)
    wall = (time.perf_counter() - start) * 1000
    if done.returncode != 0:
        raise RuntimeError(done.stderr.decode().strip())
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (usage.ru_utime + usage.ru_stime - cpu) * 1000


def fill(env: dict[str, str], stacks: int) -> None:
    """``stacks`` stacks of shared components (through the Python API, in this process)."""
    os.environ.update(env)
    from cairn.enums import StackComponentType as T
    from cairn.stack import StackRegistry

    registry = StackRegistry()
    registry.register_component(T.ORCHESTRATOR, "orch", "local", {})
    registry.register_component(T.METADATA_STORE, "md", "sqlite",
                                {"uri": str(Path(env["CAIRN_CONFIG_DIR"]) / "m.db")})  # fmt: skip
    for i in range(stacks):
        path = str(Path(env["CAIRN_CONFIG_DIR"]) / f"a{i}")
        registry.register_component(T.ARTIFACT_STORE, f"art{i}", "local", {"path": path})
        registry.store.create_stack(f"stack{i}", {T.ORCHESTRATOR: "orch",
                                                  T.ARTIFACT_STORE: f"art{i}",
                                                  T.METADATA_STORE: "md"})  # fmt: skip
    registry.store.close()  # type: ignore[attr-defined]
    for key in env:
        os.environ.pop(key, None)


def measure(label: str, env: dict[str, str], repeat: int) -> None:
    timed([*cairn(), "stack", "list"], env)  # warm-up (bytecode, migrations)
    samples = [timed([*cairn(), "stack", "list"], env) for _ in range(repeat)]
    walls = sorted(w for w, _ in samples)
    p90 = walls[int(0.9 * (len(walls) - 1))]
    cpu = statistics.median(c for _, c in samples)
    print(f"{label:<22} median {statistics.median(walls):6.0f} ms  p90 {p90:6.0f} ms  "
          f"cpu {cpu:5.0f} ms", flush=True)  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--stacks", type=int, default=10)
    args = parser.parse_args()
    import sqlalchemy as sa

    print(f"load {os.getloadavg()[0]:.2f} at start; {args.stacks} stacks, {args.repeat} runs")
    with tempfile.TemporaryDirectory() as tmp:
        base = dict(os.environ)
        base.pop("CAIRN_REGISTRY_URL", None)
        local = {**base, "CAIRN_CONFIG_DIR": str(Path(tmp) / "local")}
        fill({"CAIRN_CONFIG_DIR": local["CAIRN_CONFIG_DIR"]}, args.stacks)
        measure("sqlite (local)", local, args.repeat)
        for kind, server in SERVERS.items():
            database = f"cairn_bench_registry_{uuid.uuid4().hex[:8]}"
            admin_url = f"{server}/postgres" if kind == "postgresql" else f"{server}/"
            admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT",
                                     poolclass=sa.pool.NullPool)  # fmt: skip
            with admin.connect() as conn:
                conn.exec_driver_sql(f"CREATE DATABASE {database}")
            try:
                env = {"CAIRN_CONFIG_DIR": str(Path(tmp) / kind),
                       "CAIRN_REGISTRY_URL": f"{server}/{database}"}  # fmt: skip
                fill(env, args.stacks)
                measure(f"{kind} (shared)", {**base, **env}, args.repeat)
            finally:
                with admin.connect() as conn:
                    conn.exec_driver_sql(f"DROP DATABASE {database}")
                admin.dispose()
    print(f"load {os.getloadavg()[0]:.2f} at end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
