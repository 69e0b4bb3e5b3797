"""Inference: read the latest features of some drivers from the online store, then predict.

``python examples/feast_features/predict.py [DRIVER_ID ...]`` (after ``run.py``).
The model is the one trained by the latest ``driver_training`` run; the features
come from the online store (Redis by default) of the ``feast_example`` stack.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from feature_repo import FEATURES

from cairn.client import Client
from cairn.exceptions import CairnError
from cairn.stack import StackRegistry


def main(argv: list[str]) -> None:
    drivers = [int(a) for a in argv] or [1001, 1002, 1003]
    try:
        stack = StackRegistry().get_stack("feast_example")
        store = stack.feature_store
        assert store is not None
        online = store.get_online_features([{"driver_id": d} for d in drivers], FEATURES)
        run = Client(stack).get_pipeline("driver_training").runs[-1]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = run.steps["train"].outputs["model"].load()
    except (CairnError, IndexError) as exc:
        raise SystemExit(f"Error: {exc} (run examples/feast_features/run.py first)") from None
    columns = [ref.split(":")[1] for ref in FEATURES]
    rows = list(zip(*(online[c] for c in columns), strict=True))
    if any(v is None for row in rows for v in row):
        raise SystemExit("Error: some drivers have no online features; run run.py first.")
    import pandas as pd

    predictions = model.predict_proba(pd.DataFrame(rows, columns=columns))[:, 1]
    for driver, row, p in zip(drivers, rows, predictions, strict=True):
        values = ", ".join(f"{c}={v:.3f}" if isinstance(v, float) else f"{c}={v}"
                           for c, v in zip(columns, row, strict=True))  # fmt: skip
        print(f"driver {driver}: {values} -> completes next trip: {p:.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])
