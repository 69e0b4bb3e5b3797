"""Benchmark: wall time of whole ``cairn`` CLI processes.

Each command runs ``--repeat`` times as a fresh process (``subprocess``), with
``CAIRN_CONFIG_DIR`` in a temporary folder, after one warm-up run that creates
the registry database. Prints the median and the 90th percentile in ms, and
Python's own start-up time for comparison. Compiled bytecode is cached in the
temporary folder (``PYTHONPYCACHEPREFIX``), as an installed package has it;
``--no-bytecode`` measures the cold case. The CPU column (user + system time of
the process) barely moves when other work loads the machine, unlike wall time.
Writes nothing to the repository.

The read commands of runs and of the catalog (``pipeline list``, ``pipeline runs
list/describe/logs``, ``artifact list/versions/describe``, ``model list``, ``pipeline
schedules list``, ``secret get``, ``orchestrator logs``) are measured over ``--runs`` recorded runs
(default 50, recorded before timing, on the default stack, with a secret in its local secrets
manager and a line in its orchestrator's scheduler log) and also shown as a ratio to ``stack
list`` (issue 14's goal: under 100 ms and within 1.5x of ``stack list``).

Run: ``.venv/bin/python bench/cli_latency.py [--repeat 20] [--runs 50]``
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COMMANDS: tuple[tuple[str, ...], ...] = (
    ("--help",),
    ("stack", "list"),
    ("artifact-store", "flavor", "list"),
    ("stack", "describe"),
    ("stack", "set", "default"),
    ("secret", "list"),
)
TARGET_MS = 150.0
READ_COMMANDS: tuple[tuple[str, ...], ...] = (
    ("pipeline", "list"),
    ("pipeline", "runs", "list"),
    ("pipeline", "runs", "describe", "{run}"),
    ("pipeline", "runs", "logs", "{run}"),
    ("artifact", "list"),
    ("artifact", "versions", "cli_latency::plus::output"),
    ("artifact", "describe", "cli_latency::plus::output"),
    ("model", "list"),
    ("pipeline", "schedules", "list"),
    ("secret", "get", "cli_latency"),
    ("secret", "get", "cli_latency", "--reveal", "--output", "json"),
    ("orchestrator", "logs", "default"),
)

_RECORD = """
import sys
from cairn import pipeline, step

@step
def hello() -> int:
    print("hello")
    return 1

@step
def plus(x: int) -> int:
    return x + 1

@pipeline(name="cli_latency", enable_cache=False)
def two() -> None:
    plus(hello())

for i in range(int(sys.argv[1])):
    name = two().run().name

from cairn.enums import StackComponentType
from cairn.stack import StackRegistry

registry = StackRegistry()
registry.active_secrets_manager().register_secret("cli_latency", {"user": "me", "token": "t"})
log = registry.get_component(StackComponentType.ORCHESTRATOR, "default").log_file
log.parent.mkdir(parents=True)
log.write_text("scheduler started\\n", encoding="utf-8")
print(name)
"""


def record_runs(count: int, env: dict[str, str], cwd: str) -> str:
    """Record ``count`` two-step runs on the default stack, a secret and a scheduler log
    line; the newest run's name."""
    done = subprocess.run(  # the secret's key goes to a file, never to this machine's keyring
        [sys.executable, "-c", _RECORD, str(count)],
        env={**env, "CAIRN_QUIET": "1", "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"},
        cwd=cwd, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return done.stdout.strip().splitlines()[-1]


def cairn_command() -> list[str]:
    """The ``cairn`` console script next to this interpreter, else ``python -m``."""
    script = Path(sys.executable).with_name("cairn")
    return [str(script)] if script.exists() else [sys.executable, "-m", "cairn.cli.main"]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_process(argv: list[str], env: dict[str, str], cwd: str) -> tuple[float, float]:
    """Wall and CPU (user + system) milliseconds of one process; raises if it fails.

    CPU time hardly changes when other processes load the machine; wall time does.
    """
    cpu, start = _children_cpu(), time.perf_counter()
    done = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, check=False)
    elapsed = (time.perf_counter() - start) * 1000
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed: {done.stderr.decode().strip()}")
    return elapsed, (_children_cpu() - cpu) * 1000


def percentile(samples: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) of ``samples`` by nearest rank."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


Result = tuple[str, float, float, float]


def measure(repeat: int, bytecode: bool = True, recorded: int = 50) -> list[Result]:
    """``(command, median ms, p90 ms, median CPU ms)`` of each command (and of bare Python)."""
    base = cairn_command()
    tmp = tempfile.mkdtemp(prefix="cairn-bench-")
    env = {**os.environ, "CAIRN_CONFIG_DIR": os.path.join(tmp, "config")}
    for var in ("CAIRN_ACTIVE_STACK", "CAIRN_REPOSITORY_PATH", "PYTHONDONTWRITEBYTECODE"):
        env.pop(var, None)
    if bytecode:  # as in an installed package; the cache lives in the temp folder
        env["PYTHONPYCACHEPREFIX"] = os.path.join(tmp, "pycache")
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    try:
        commands = list(COMMANDS)
        if recorded:
            newest = record_runs(recorded, env, tmp)
            commands += [tuple(a.format(run=newest) for a in c) for c in READ_COMMANDS]
        for command in commands:  # warm-up: creates the database and the bytecode cache
            time_process([*base, *command], env, tmp)
        runs: list[tuple[str, list[str]]] = [("python -c pass", [sys.executable, "-c", "pass"])]
        runs += [("cairn " + " ".join(c), [*base, *c]) for c in commands]
        wall: dict[str, list[float]] = {label: [] for label, _ in runs}
        cpu: dict[str, list[float]] = {label: [] for label, _ in runs}
        for _ in range(repeat):  # interleaved, so load changes hit every command alike
            for label, argv in runs:
                elapsed, used = time_process(argv, env, tmp)
                wall[label].append(elapsed)
                cpu[label].append(used)
        return [
            (k, statistics.median(v), percentile(v, 0.9), statistics.median(cpu[k]))
            for k, v in wall.items()
        ]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    """Print the table; exit 0 (this is a measurement, not a test)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument(
        "--no-bytecode", action="store_true", help="Compile every module on each run (cold)."
    )
    parser.add_argument("--runs", type=int, default=50, help="runs recorded for read commands")
    args = parser.parse_args(argv)
    results = measure(args.repeat, bytecode=not args.no_bytecode, recorded=args.runs)
    stack_list = next(r[1] for r in results if r[0] == "cairn stack list")
    width = max(len(result[0]) for result in results)
    cache = "without bytecode cache" if args.no_bytecode else "bytecode cached"
    print(f"CLI latency, {args.repeat} runs each, {cache} (target: median < {TARGET_MS:.0f} ms)")
    print(
        f"{'COMMAND'.ljust(width)}  {'MEDIAN ms':>9}  {'P90 ms':>7}  {'CPU ms':>7}  vs stack list"
    )
    for label, median, p90, cpu in results:
        flag = "" if label.startswith("python") or median < TARGET_MS else "  (over target)"
        ratio = f"{median / stack_list:12.2f}x"
        print(f"{label.ljust(width)}  {median:9.1f}  {p90:7.1f}  {cpu:7.1f}  {ratio}{flag}")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
