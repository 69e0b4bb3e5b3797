"""Run the quickstart pipeline on the active stack and print what it recorded.

    python examples/quickstart/run.py [--C 0.5] [--no-cache]

The first run executes every step; run it again and the steps are reused from
the cache (change ``--C`` and only training and evaluation run again).
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from quickstart_pipeline import quickstart

from cairn.materializers import PickleFallbackWarning


def _print_summary(run: object) -> None:
    from cairn.client import RunView

    assert isinstance(run, RunView)
    print(f"\nRun '{run.name}' of pipeline '{run.pipeline_name}': {run.status}")
    print(f"  took {run.duration or 0:.2f} s on stack '{run.stack_snapshot.get('name', '?')}'")
    print(f"\n  {'step':<12} {'status':<10} {'cached':<7} {'duration':>9}")
    for name, step in run.steps.items():
        duration = f"{step.record.duration or 0:.3f} s"
        cached = "yes" if step.record.cached else "no"
        print(f"  {name:<12} {step.status!s:<10} {cached:<7} {duration:>9}")
    metrics = run.steps["evaluate"].outputs["metrics"].load()  # also when evaluate was cached
    print("\n  metrics: " + ", ".join(f"{k}={v:.4f}" for k, v in sorted(metrics.items())))
    model = run.steps["train_model"].outputs["model"]
    print(f"\n  artifacts are under {Path(model.uri).parent.parent}")
    print(f"  e.g. the model: {model.uri}")
    print(f"\n  more: cairn pipeline runs describe {run.name}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--C", type=float, default=1.0, help="inverse regularisation strength")
    parser.add_argument("--no-cache", action="store_true", help="run every step again")
    args = parser.parse_args()
    with warnings.catch_warnings():
        # the fitted scikit-learn model is saved with cloudpickle; that is expected here
        warnings.simplefilter("ignore", PickleFallbackWarning)
        run = quickstart(C=args.C).run(enable_cache=False if args.no_cache else None)
    _print_summary(run)
    return 0


if __name__ == "__main__":
    sys.exit(main())
