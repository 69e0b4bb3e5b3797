"""Peak memory (max RSS) of a 10-step run of trivial steps, in a fresh process.

The child process imports Cairn, runs a 10-step chain on the default local stack
and reports ``resource.getrusage(RUSAGE_SELF).ru_maxrss``. Target: under 120 MB
(ZenML: 181 MB). Median of several fresh processes, each with its own
temporary CAIRN_CONFIG_DIR.

Usage: python bench/memory.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile

CHILD = """
import resource
from cairn import pipeline, step

@step
def first() -> int:
    return 0

@step
def increment(x: int) -> int:
    return x + 1

@pipeline(enable_cache=False)
def ten_steps() -> None:
    value = first()
    for _ in range(9):
        value = increment(value)

ten_steps().run()
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)  # KiB on Linux
"""


def peak_rss_mb() -> float:
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "CAIRN_CONFIG_DIR": tmp}
        done = subprocess.run(
            [sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, check=True
        )
    return int(done.stdout.strip().splitlines()[-1]) / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    values = [peak_rss_mb() for _ in range(args.repeats)]
    print(
        f"peak RSS of a 10-step run: median {statistics.median(values):.1f} MB "
        f"(runs: {', '.join(f'{v:.1f}' for v in values)}; target < 120 MB)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
