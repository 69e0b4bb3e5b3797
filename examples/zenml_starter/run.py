"""Train (and promote) or run inference: ``python examples/zenml_starter/run.py [--inference]``.

This is the shape of ZenML's starter ``run.py``; the one Cairn-specific change is ``.run()``
after configuring the pipeline (see docs/porting-from-zenml.md).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from starter_pipelines import inference, training  # noqa: E402

from cairn.client import Client  # noqa: E402
from cairn.exceptions import CairnError  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--inference", action="store_true", help="run the inference pipeline")
    parser.add_argument("--C", type=float, default=1.0, help="inverse regularisation strength")
    parser.add_argument("--no-cache", action="store_true")
    args = parser.parse_args()
    pipeline_args = {"enable_cache": not args.no_cache} if args.no_cache else {}
    try:
        if args.inference:
            pipeline_args["config_path"] = str(HERE / "configs" / "inference.yaml")
            run = inference.with_options(**pipeline_args)().run()
            predictions = run.steps["inference_predict"].output.load()
            print(f"{run.name}: {run.status}, {len(predictions)} predictions")
            return 0
        pipeline_args["config_path"] = str(HERE / "configs" / "training.yaml")
        pipeline_args["run_name"] = "training_{{date}}_{{time}}"
        run = training.with_options(**pipeline_args)(C=args.C).run()
    except CairnError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    version = Client().get_model_version("breast_cancer_classifier")
    accuracy = version.run_metadata.get("test_accuracy")
    print(
        f"{run.name}: {run.status}; model version {version.number} ({version.stage or '-'}), "
        f"test accuracy {accuracy:.3f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
