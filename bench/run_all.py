"""Run every benchmark in ``bench/`` and print what each reports.

Each ``bench/*.py`` script (except this one) runs as its own process,
``python bench/NAME.py``, with its default arguments, one after the other (the
machine is small: parallel runs would disturb each other's timings). A script
that fails is reported and the others still run; the exit code is 1 if any
failed.

Run: ``.venv/bin/python bench/run_all.py [NAME ...]`` (names without ``.py``
select some scripts).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def scripts(selected: list[str] | None = None) -> list[Path]:
    """The benchmark scripts, sorted by name, optionally only those ``selected``."""
    found = sorted(p for p in HERE.glob("*.py") if p.name != Path(__file__).name)
    if selected:
        unknown = set(selected) - {p.stem for p in found}
        if unknown:
            raise SystemExit(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
        found = [p for p in found if p.stem in selected]
    return found


def run(script: Path) -> tuple[bool, float]:
    """Run one script, its output passing through; whether it succeeded and its seconds."""
    print(f"\n=== {script.name} ===", flush=True)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, str(script)], cwd=HERE.parent, check=False)
    return done.returncode == 0, time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks; print a summary; 1 if any failed."""
    results = [(script.name, *run(script)) for script in scripts(argv or sys.argv[1:])]
    print("\n=== summary ===")
    for name, ok, seconds in results:
        print(f"{name:<28} {'ok' if ok else 'FAILED':<7} {seconds:7.1f} s")
    return 0 if all(ok for _, ok, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
