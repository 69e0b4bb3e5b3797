"""Send a prediction request to the deployed iris model.

    python examples/mlflow_deployment/predict.py [--deployment NAME]

Finds the deployment through the active stack's model deployer and POSTs two
iris flowers to its ``/invocations`` URL (MLflow's scoring protocol).
"""

from __future__ import annotations

import argparse
import json
import urllib.request

from cairn.stack.registry import StackRegistry

DEFAULT = "train_and_deploy-mlflow_model_deployer_step"
FLOWERS = [[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]]


def predict(url: str, rows: list[list[float]]) -> list[int]:
    """POST ``rows`` to an MLflow scoring server; its predictions."""
    body = json.dumps({"inputs": rows}).encode()
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        answer = json.loads(response.read())
    return [int(p) for p in answer["predictions"]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--deployment", default=DEFAULT)
    args = parser.parse_args()
    deployer = StackRegistry().get_stack().model_deployer
    if deployer is None:
        raise SystemExit("The active stack has no model deployer.")
    url = deployer.get_prediction_url(args.deployment)
    if url is None:
        raise SystemExit(f"Deployment '{args.deployment}' is not running: "
                         f"cairn model-deployer models start {args.deployment}")  # fmt: skip
    print(f"POST {url}: {FLOWERS}")
    print("predicted classes:", predict(url, FLOWERS))


if __name__ == "__main__":
    main()
