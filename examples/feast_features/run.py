"""Create the Feast repository, apply it, and run the training pipeline.

``python examples/feast_features/run.py [--repo FOLDER] [--online redis|sqlite]``

The repository goes to ``FOLDER`` (default ``feast_driver_repo`` in the working
folder); the stack ``feast_example`` (the default stack plus the feature store
``feast_drivers``) is registered and activated on the first run.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from feature_repo import PROJECT, create_repo

from cairn.enums import StackComponentType
from cairn.exceptions import CairnError
from cairn.stack import StackRegistry

STACK, STORE = "feast_example", "feast_drivers"


def ensure_stack(repo: Path) -> None:
    """Register the feature store and the stack (once) and make the stack active."""
    registry = StackRegistry()
    names = {c.name for c in registry.store.list_components(StackComponentType.FEATURE_STORE)}
    if STORE not in names:
        registry.register_component(
            StackComponentType.FEATURE_STORE, STORE, "feast", {"feast_repo": str(repo)}
        )
    if STACK not in {s.name for s in registry.store.list_stacks()}:
        default = registry.store.get_stack("default").components
        registry.register_stack(STACK, {**default, StackComponentType.FEATURE_STORE: STORE})
    registry.set_active_stack(STACK)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repo", type=Path, default=Path("feast_driver_repo"))
    parser.add_argument("--online", choices=["redis", "sqlite"], default="redis")
    parser.add_argument("--rows", type=int, default=400)
    parser.add_argument("--project", default=PROJECT, help="Feast project of a new repository")
    args = parser.parse_args()
    repo = create_repo(args.repo.resolve(), online=args.online, project=args.project)
    ensure_stack(repo)
    store = StackRegistry().get_stack(STACK).feature_store
    assert store is not None
    if not store.is_provisioned:
        print(f"feast apply in {repo} ...")
        store.provision()
    from features_pipeline import driver_training

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pickled model, Feast's own warnings
        try:
            run = driver_training(rows=args.rows).run()
        except CairnError as exc:
            raise SystemExit(f"Error: {exc}") from None
    accuracy = run.steps["train"].outputs["accuracy"].load()
    views = run.steps["feast_materialize_step"].output.load()
    print(f"Run '{run.name}': {run.status}; test accuracy {accuracy:.3f}")
    print(f"Online store loaded with: {', '.join(views)}")
    print("Try: python examples/feast_features/predict.py")


if __name__ == "__main__":
    main()
