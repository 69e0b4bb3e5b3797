"""Run the train-and-deploy pipeline: ``python examples/mlflow_deployment/run.py [--c 1.0]``."""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from mlflow_pipeline import train_and_deploy

from cairn.exceptions import CairnUserError


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--c", type=float, default=1.0, help="inverse regularisation strength")
    parser.add_argument("--min-accuracy", type=float, default=0.9)
    args = parser.parse_args()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the pickled model and MLflow's own warnings
        try:
            run = train_and_deploy(c=args.c, min_accuracy=args.min_accuracy).run()
        except CairnUserError as exc:  # e.g. the tracking server is not up
            raise SystemExit(f"Error: {exc}") from None
    accuracy = run.steps["evaluate"].output.load()
    info = run.steps["mlflow_model_deployer_step"].output.load()
    print(f"Run '{run.name}': {run.status}; test accuracy {accuracy:.3f}")
    print(f"MLflow run of 'train': {run.steps['train'].metadata.get('mlflow_tracking_url')}")
    if info.running:
        print(f"Deployment '{info.name}' answers at {info.prediction_url}")
        print("Try: python examples/mlflow_deployment/predict.py")
    else:
        print(f"Not deployed (accuracy below {args.min_accuracy}).")


if __name__ == "__main__":
    main()
