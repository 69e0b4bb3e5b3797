"""Per-step overhead of Cairn: a chain of trivial steps on the default local stack.

overhead per step = (time of an N-step chain - time of a 1-step run) / (N - 1)

Measured for N = 50 (median of several runs, caching off so every step runs) and
once for N = 1,000 to show that the cost per step stays flat. Each run uses a
fresh temporary CAIRN_CONFIG_DIR.

With ``--hooks`` every step has an ``on_start`` and an ``on_end`` hook (that do
nothing), to show what run hooks cost per step.

Beside the wall time it prints the CPU time (user + system) of this process per
step, which moves far less than wall time when other work loads the machine.

The progress display (``cairn.execution.progress``) is measured off
(``CAIRN_QUIET=1``) and on (plain lines, as when the output is not a terminal;
written to /dev/null here); ``--progress on|off|both`` picks (default both).

Each mode also measures a run's fixed cost (the same configured 1-step pipeline run
100 times) and the floor of a persisted step in the same folder and
run (``bench/floor.py``: one SQLite transaction plus one small new file) and
prints the overhead as a ratio to it (issue 14's goal: at most 2x).

Usage: python bench/pipeline_overhead.py [--repeats 5] [--skip-1000] [--hooks]
       [--progress both]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from typing import Any

from cairn import pipeline, step

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from floor import floor_per_step


@step
def first() -> int:
    return 0


@step
def increment(x: int) -> int:
    return x + 1


def noop_hook() -> None:
    """A run hook that does nothing (``--hooks``)."""


HOOKED: list[bool] = [False]


def chain(length: int) -> Any:
    hooks = {"on_start": noop_hook, "on_end": noop_hook} if HOOKED[0] else {}
    start, step_ = first.with_options(**hooks), increment.with_options(**hooks)

    @pipeline(name=f"chain_{length}", enable_cache=False)
    def _chain() -> None:
        value = start()
        for _ in range(length - 1):
            value = step_(value)

    return _chain


CPU: list[float] = []  # CPU seconds per step of the last per_step() call


def timed_run(length: int) -> tuple[float, float]:
    """Wall and CPU (user + system, this process) seconds of one run of the chain."""
    configured = chain(length)()
    start, cpu = time.perf_counter(), time.process_time()
    configured.run()
    return time.perf_counter() - start, time.process_time() - cpu


def per_step(length: int, repeats: int) -> tuple[float, float, float]:
    """Median (N-step time, 1-step time, overhead per step), in seconds (CPU: ``CPU[0]``)."""
    timed_run(2)  # warm up imports, the store's schema and the engine
    longs, shorts = [], []
    for _ in range(repeats):
        shorts.append(timed_run(1))
        longs.append(timed_run(length))
    long_t, short_t = (statistics.median(t[0] for t in found) for found in (longs, shorts))
    long_c, short_c = (statistics.median(t[1] for t in found) for found in (longs, shorts))
    CPU[:] = [(long_c - short_c) / (length - 1)]
    return long_t, short_t, (long_t - short_t) / (length - 1)


def run_cost(runs: int = 100) -> float:
    """Median seconds of a 1-step run of one configured pipeline run again and again in
    this process (a run's fixed cost: the stack, the run's records, its end; the 1-step
    runs of :func:`per_step` also compile a newly defined pipeline each time)."""
    configured = chain(1)()
    configured.run()
    found = []
    for _ in range(runs):
        start = time.perf_counter()
        configured.run()
        found.append(time.perf_counter() - start)
    return statistics.median(found)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--skip-1000", action="store_true")
    parser.add_argument("--hooks", action="store_true", help="on_start/on_end on every step")
    parser.add_argument("--progress", choices=("on", "off", "both"), default="both")
    args = parser.parse_args()
    HOOKED[0] = args.hooks
    modes = ("off", "on") if args.progress == "both" else (args.progress,)
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    for mode in modes:
        os.environ["CAIRN_QUIET"] = "1" if mode == "off" else "0"
        with tempfile.TemporaryDirectory() as tmp, open(os.devnull, "w") as sink:
            os.environ["CAIRN_CONFIG_DIR"] = tmp
            real_stderr, sys.stderr = sys.stderr, sink
            try:
                long_t, short_t, overhead = per_step(50, args.repeats)
                cpu = CPU[0]
                fixed = run_cost()
                big = None if args.skip_1000 else per_step(1000, 1)
                floor = floor_per_step(tmp)
            finally:
                sys.stderr = real_stderr
        print(f"[progress {mode}] 50-step chain: {long_t * 1000:.1f} ms, 1-step run: "
              f"{short_t * 1000:.1f} ms")  # fmt: skip
        print(f"[progress {mode}] a run's fixed cost (1-step run of one configured pipeline, "
              f"median of 100): {fixed * 1000:.2f} ms")  # fmt: skip
        print(f"[progress {mode}] per-step overhead (50 steps): {overhead * 1000:.2f} ms "
              f"(target < 2 ms); CPU time per step {cpu * 1000:.2f} ms")  # fmt: skip
        print(f"[progress {mode}] floor (1 SQLite transaction + 1 new file): "
              f"{floor['file'] * 1000:.3f} ms, overhead / floor: {overhead / floor['file']:.1f}x "
              f"(goal <= 2x); with the file's own new folder: {floor['folder'] * 1000:.3f} ms, "
              f"{overhead / floor['folder']:.1f}x")  # fmt: skip
        if big is not None:
            print(f"[progress {mode}] 1000-step chain: {big[0]:.2f} s, per step "
                  f"{big[2] * 1000:.2f} ms")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
