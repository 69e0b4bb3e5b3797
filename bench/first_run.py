"""The first pipeline run in a fresh process: a 1-step pipeline, the whole process timed.

Each sample is a new interpreter that defines a 1-step pipeline and runs it once
on the default stack (SQLite metadata, local artifacts; the store exists already,
as after the first run ever), compared with the interpreter alone
(``python -c pass``), with ``import cairn`` alone and with importing pydantic and
validating one model (what any stack component, a pydantic model in the spec, costs
at the least: the floor under Cairn's first run), in the same loop. Bytecode
is cached in the temporary folder. Issue 14's goal: under 100 ms, the limit being
"interpreter + imports of the user's code".

Run: ``.venv/bin/python bench/first_run.py [--repeat 15]``
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

_RUN = """
from cairn import pipeline, step

@step
def one() -> int:
    return 1

@pipeline(name="first_run_bench", enable_cache=False)
def first_run_bench() -> None:
    one()

first_run_bench().run()
"""

_PYDANTIC = """
import pydantic

class One(pydantic.BaseModel):
    x: int

One(x=1)
"""

SAMPLES = {
    "python -c pass": ["-c", "pass"],
    "python -c 'import cairn'": ["-c", "import cairn"],
    "pydantic and one model": ["-c", _PYDANTIC],
    "first run of a 1-step pipeline": ["-c", _RUN],
}


def _once(args: list[str], env: dict[str, str], cwd: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, *args], env=env, cwd=cwd, check=True, capture_output=True)
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="cairn-bench-")
    env = {**os.environ, "CAIRN_CONFIG_DIR": os.path.join(tmp, "config"), "CAIRN_QUIET": "1"}
    env["PYTHONPYCACHEPREFIX"] = os.path.join(tmp, "pycache")
    for var in ("CAIRN_ACTIVE_STACK", "PYTHONDONTWRITEBYTECODE"):
        env.pop(var, None)
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    try:
        for sample in SAMPLES.values():  # warm-up: the store, its schema, bytecode
            _once(sample, env, tmp)
        times: dict[str, list[float]] = {label: [] for label in SAMPLES}
        for _ in range(args.repeat):  # interleaved, so load changes hit all alike
            for label, sample in SAMPLES.items():
                times[label].append(_once(sample, env, tmp))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for label, found in times.items():
        print(f"{label:<32} median {statistics.median(found):7.1f} ms")
    run = statistics.median(times["first run of a 1-step pipeline"])
    print(f"first run / 100 ms goal: {run / 100:.2f}x")


if __name__ == "__main__":
    main()
