"""The quickstart on shared infrastructure: an S3 artifact store and a PostgreSQL metadata store.

    python examples/team_stack/run.py [--keep-config DIR]

What it does, with the same Python API the CLI uses:

1. starts moto's S3 server on 127.0.0.1 (standing in for AWS, MinIO, ...) and
   creates a PostgreSQL database on 127.0.0.1:5432 for this example;
2. stores the S3 credentials as a secret and registers an ``s3`` artifact store
   that refers to it (``{{team_s3.key}}``), a ``postgresql`` metadata store, and
   a ``team`` stack made of them;
3. runs the quickstart pipeline, unchanged, on that stack;
4. reads the evaluation metrics back from a second Python process, which finds
   the artifacts through the metadata store on the server;
5. stops moto and drops the database.

It works in a temporary Cairn config folder (your registry is not touched)
unless ``--keep-config DIR`` names one. Needs ``pip install 'cairn[s3,postgresql]'``,
``moto[server]`` and a PostgreSQL server with trust auth on 127.0.0.1 (or set
``CAIRN_EXAMPLE_PG`` to an admin SQLAlchemy URL).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import uuid
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "quickstart"))

ADMIN_URL = os.environ.get(
    "CAIRN_EXAMPLE_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)

READ_BACK = """
from cairn.client import Client
run = Client().get_run("team-quickstart")
metrics = run.steps["evaluate"].outputs["metrics"]
print(f"second process: run '{run.name}' is {run.status}; metrics from {metrics.uri}:")
print("  " + ", ".join(f"{k}={v:.4f}" for k, v in sorted(metrics.load().items())))
"""


def build_team_stack(endpoint: str, database: str) -> None:
    """Register the secret, the two stores and the ``team`` stack; activate it."""
    from cairn.enums import StackComponentType as T
    from cairn.stack import StackRegistry

    registry = StackRegistry()
    default = registry.get_stack("default")
    assert default.secrets_manager is not None
    default.secrets_manager.register_secret(
        "team_s3", {"key": "example-key", "secret": "example-secret"}, overwrite=True
    )
    bucket = f"team-artifacts-{uuid.uuid4().hex[:8]}"
    store = registry.register_component(T.ARTIFACT_STORE, "team_s3", "s3", {
        "path": f"s3://{bucket}/cairn", "endpoint_url": endpoint,
        "key": "{{team_s3.key}}", "secret": "{{team_s3.secret}}",
    })  # fmt: skip
    store.provision()  # creates the bucket
    registry.register_component(T.METADATA_STORE, "team_pg", "postgresql",
                                {"host": "127.0.0.1", "database": database})  # fmt: skip
    components = dict(registry.store.get_stack("default").components)
    components.update({T.ARTIFACT_STORE: "team_s3", T.METADATA_STORE: "team_pg"})
    registry.register_stack("team", components, activate=True)
    print(f"stack 'team': artifacts in s3://{bucket}/cairn (moto at {endpoint}), "
          f"metadata in PostgreSQL database {database}")  # fmt: skip


def run_quickstart() -> None:
    from quickstart_pipeline import quickstart

    from cairn.materializers import PickleFallbackWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PickleFallbackWarning)
        run = quickstart().run(run_name="team-quickstart")
    print(f"first process: run '{run.name}' {run.status} on stack "
          f"'{run.stack_snapshot.get('name')}'")  # fmt: skip


def close_connections() -> None:
    """Close this process's pooled connections to the example's database (before dropping it)."""
    from cairn.enums import StackComponentType as T
    from cairn.exceptions import CairnError
    from cairn.stack import StackRegistry
    from cairn.store.metadata.engine import dispose_engine

    try:
        store = StackRegistry().get_component(T.METADATA_STORE, "team_pg")
    except CairnError:
        return
    dispose_engine(store.connection_url())  # type: ignore[attr-defined]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--keep-config", help="use (and keep) this Cairn config folder")
    args = parser.parse_args()
    import sqlalchemy as sa

    from cairn.testing.emulators import moto_s3

    database = f"cairn_team_example_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with tempfile.TemporaryDirectory() as tmp, moto_s3() as endpoint:
        os.environ["CAIRN_CONFIG_DIR"] = args.keep_config or tmp
        with admin.connect() as conn:
            conn.exec_driver_sql(f"CREATE DATABASE {database}")
        try:
            build_team_stack(endpoint, database)
            run_quickstart()
            done = subprocess.run([sys.executable, "-c", READ_BACK], text=True,
                                  capture_output=True, timeout=300)  # fmt: skip
            print(done.stdout.strip() or done.stderr.strip())
            if done.returncode != 0:
                return 1
        finally:
            close_connections()
            with admin.connect() as conn:
                conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {database}")
            admin.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
