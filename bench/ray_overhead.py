"""The ``ray`` orchestrator on a warm local head node (a Cairn service on 127.0.0.1).

1. Per-step overhead of a 50-step chain of trivial steps (persisted: SQLite
   metadata store, local artifact store), next to the same chain of plain Ray
   tasks doing the same work (each task waits for the previous one's result, as a
   chain must); the ratio and the difference per step are reported.
2. An 8-way fan-out of 1-second sleeps with ``num_cpus=0.25`` between a source and
   a sink (target: under 1.5 s).

Each figure is the median of ``--repeats`` runs after a warm-up run. The head
node is started with ``cairn stack up`` in a temporary config folder and stopped
with ``stack down`` at the end.

Usage: python bench/ray_overhead.py [--repeats 3] [--steps 50]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from typing import Any

from cairn import pipeline, step


@step
def first() -> int:
    return 0


@step
def increment(x: int) -> int:
    return x + 1


@step(settings={"resources": {"num_cpus": 0.25}})
def nap(x: int, index: int) -> int:
    time.sleep(1.0)
    return x + index


@step
def sink(a: int, b: int, c: int, d: int, e: int, f: int, g: int, h: int) -> int:
    return a + b + c + d + e + f + g + h


def chain_of(length: int) -> Any:
    @pipeline(name=f"ray_chain_{length}", enable_cache=False)
    def chain() -> None:
        x = first()
        for _ in range(length - 1):
            x = increment(x)

    return chain


@pipeline(enable_cache=False)
def fan_out() -> None:
    x = first()
    sink(*[nap(x, index=i) for i in range(8)])


def _timed(run: Any) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--steps", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["CAIRN_CONFIG_DIR"] = tmp
        os.environ["CAIRN_QUIET"] = "1"
        from cairn.enums import StackComponentType
        from cairn.stack import StackRegistry
        from cairn.stack.lifecycle import stack_down, stack_up

        registry = StackRegistry()
        registry.register_component(StackComponentType.ORCHESTRATOR, "ray", "ray",
                                    {"code": "present"})  # fmt: skip
        components = dict(registry.store.get_stack("default").components)
        components[StackComponentType.ORCHESTRATOR] = "ray"
        registry.register_stack("ray", components, activate=True)
        stack_up(registry, "ray")
        try:
            chain = chain_of(args.steps)
            chain().run()  # warm-up: worker processes, imports, schema
            cairn = [_timed(lambda: chain().run()) for _ in range(args.repeats)]
            import ray

            @ray.remote
            def plain_step(x: int) -> int:
                return x + 1

            def plain_chain() -> None:
                value = 0
                for _ in range(args.steps - 1):
                    value = ray.get(plain_step.remote(value))

            plain_chain()
            plain = [_timed(plain_chain) for _ in range(args.repeats)]
            fan_out().run()  # warm-up: 8 workers
            fan = [_timed(lambda: fan_out().run()) for _ in range(args.repeats)]
        finally:
            from cairn.integrations.ray._cluster import disconnect

            disconnect()
            stack_down(registry, "ray", force=True)  # also removes Ray's session folder
    per_cairn = statistics.median(cairn) / args.steps * 1000
    per_plain = statistics.median(plain) / (args.steps - 1) * 1000
    print(f"{args.steps}-step chain on Ray: {per_cairn:.2f} ms per step with Cairn, "
          f"{per_plain:.2f} ms per plain Ray task; ratio {per_cairn / per_plain:.1f}x, "
          f"Cairn adds {per_cairn - per_plain:.2f} ms a step (target < 5 ms)")  # fmt: skip
    print(f"8 x 1 s sleeps, num_cpus=0.25: median {statistics.median(fan):.3f} s "
          f"(runs: {', '.join(f'{t:.3f}' for t in fan)}; target < 1.5 s)")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
