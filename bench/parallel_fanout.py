"""A fan-out of 8 steps that each sleep 1 s, between a source and a sink step.

The local orchestrator runs independent steps in parallel (default
``max_parallelism`` 8), so the whole run should take a little over 1 s
(target < 1.5 s; ZenML's local orchestrator runs them one after another: ~14 s).
Median of several runs, caching off, fresh temporary CAIRN_CONFIG_DIR.

With ``--mode processes`` each step runs in a process of its own: warm worker
processes by default (target < 1.3 s), or a fresh interpreter per step with
``--fresh`` (the cost before warm workers).

Usage: python bench/parallel_fanout.py [--repeats 3] [--mode threads|processes] [--fresh]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time

from cairn import pipeline, step


@step
def source() -> int:
    return 1


@step
def sleep_one_second(x: int, index: int) -> int:
    time.sleep(1.0)
    return x + index


@step
def sink(a: int, b: int, c: int, d: int, e: int, f: int, g: int, h: int) -> int:
    return a + b + c + d + e + f + g + h


@pipeline(enable_cache=False)
def fan_out() -> None:
    x = source()
    sink(*[sleep_one_second(x, index=i) for i in range(8)])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--mode", choices=["threads", "processes"], default="threads")
    parser.add_argument("--fresh", action="store_true", help="processes: no warm workers")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["CAIRN_CONFIG_DIR"] = tmp
        os.environ.setdefault("CAIRN_QUIET", "1")
        if args.mode == "processes":
            from cairn.enums import StackComponentType
            from cairn.stack import StackRegistry

            StackRegistry().update_component(
                StackComponentType.ORCHESTRATOR, "default",
                {"mode": "processes", "reuse_processes": not args.fresh},
            )  # fmt: skip
        fan_out().run()  # warm up: imports, store schema, worker processes
        times = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            fan_out().run()
            times.append(time.perf_counter() - start)
    print(
        f"8 x 1 s sleeps between source and sink ({args.mode}"
        f"{', fresh processes' if args.fresh else ''}): median {statistics.median(times):.3f} s "
        f"(runs: {', '.join(f'{t:.3f}' for t in times)}; target < 1.5 s, processes < 1.3 s)"
    )
    print(f"ratio to the limit (1.0 s, the longest step): {statistics.median(times) / 1.0:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
