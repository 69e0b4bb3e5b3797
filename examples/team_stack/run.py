"""The quickstart on shared infrastructure: S3 artifacts, PostgreSQL metadata, a team registry.

    python examples/team_stack/run.py [--keep-config DIR]

What it does, with the same Python API the CLI uses:

1. starts moto's S3 server on 127.0.0.1 (standing in for AWS, MinIO, ...) and
   creates a PostgreSQL database on 127.0.0.1:5432 for this example; the team's
   registry and its metadata store both live in it (each with its own tables);
2. "machine A" connects to that shared registry (``CAIRN_REGISTRY_URL``) and
   registers an ``env`` secrets manager (the S3 credentials come from each
   machine's environment, ``CAIRN_SECRET__TEAM_S3__KEY``/``__SECRET``), an ``s3``
   artifact store referring to them (``{{team_s3.key}}``), a ``postgresql``
   metadata store, a ``local`` orchestrator and the ``team`` stack;
3. runs the quickstart pipeline, unchanged, on that stack;
4. "machine B", a second process with its own Cairn config folder, connects to the
   same registry, activates ``team`` for itself and reads the evaluation metrics
   back through the metadata store on the server and the bucket;
5. stops moto and drops the database.

It works in temporary Cairn config folders (your registry is not touched)
unless ``--keep-config DIR`` names machine A's. Needs
``pip install 'cairn[s3,postgresql]'``, ``moto[server]`` and a PostgreSQL server
with trust auth on 127.0.0.1 (or set ``CAIRN_EXAMPLE_PG`` to an admin SQLAlchemy URL).
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
#: What every machine of the team has in its environment (a CI secret, a vault agent...).
CREDENTIALS = {"CAIRN_SECRET__TEAM_S3__KEY": "example-key",
               "CAIRN_SECRET__TEAM_S3__SECRET": "example-secret"}  # fmt: skip

READ_BACK = """
from cairn.client import Client
from cairn.stack import StackRegistry
StackRegistry().set_active_stack("team")  # this machine's choice, kept in its own config
run = Client().get_run("team-quickstart")
metrics = run.steps["evaluate"].outputs["metrics"]
print(f"machine B: run '{run.name}' is {run.status}; metrics from {metrics.uri}:")
print("  " + ", ".join(f"{k}={v:.4f}" for k, v in sorted(metrics.load().items())))
"""


def build_team_stack(endpoint: str, database: str) -> None:
    """Register the secrets manager, the two stores and the ``team`` stack; activate it."""
    from cairn.enums import StackComponentType as T
    from cairn.stack import StackRegistry

    registry = StackRegistry()
    registry.register_component(T.SECRETS_MANAGER, "team_env", "env", {})
    bucket = f"team-artifacts-{uuid.uuid4().hex[:8]}"
    # (the references are checked against the team stack's secrets manager before each run)
    registry.register_component(T.ARTIFACT_STORE, "team_s3", "s3", {
        "path": f"s3://{bucket}/cairn", "endpoint_url": endpoint,
        "key": "{{team_s3.key}}", "secret": "{{team_s3.secret}}",
    }, verify=False)  # fmt: skip
    registry.register_component(T.METADATA_STORE, "team_pg", "postgresql",
                                {"host": "127.0.0.1", "database": database})  # fmt: skip
    registry.register_component(T.ORCHESTRATOR, "team_local", "local", {})
    registry.register_stack("team", {T.ORCHESTRATOR: "team_local", T.ARTIFACT_STORE: "team_s3",
                                     T.METADATA_STORE: "team_pg",
                                     T.SECRETS_MANAGER: "team_env"}, activate=True)  # fmt: skip
    registry.get_stack("team").artifact_store.provision()  # creates the bucket
    print(f"machine A: stack 'team' in the shared registry; artifacts in s3://{bucket}/cairn "
          f"(moto at {endpoint}), metadata in PostgreSQL database {database}")  # fmt: skip


def run_quickstart() -> None:
    from quickstart_pipeline import quickstart

    from cairn.materializers import PickleFallbackWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PickleFallbackWarning)
        run = quickstart().run(run_name="team-quickstart")
    print(f"machine A: run '{run.name}' {run.status} on stack "
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
    shared = sa.make_url(ADMIN_URL).set(database=database).render_as_string(hide_password=False)
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with (tempfile.TemporaryDirectory() as tmp, tempfile.TemporaryDirectory() as machine_b,
          moto_s3() as endpoint):  # fmt: skip
        os.environ.update(CREDENTIALS)
        os.environ["CAIRN_CONFIG_DIR"] = args.keep_config or tmp
        os.environ["CAIRN_REGISTRY_URL"] = shared
        with admin.connect() as conn:
            conn.exec_driver_sql(f"CREATE DATABASE {database}")
        try:
            build_team_stack(endpoint, database)
            run_quickstart()
            env = {**os.environ, "CAIRN_CONFIG_DIR": machine_b}
            done = subprocess.run([sys.executable, "-c", READ_BACK], text=True, env=env,
                                  capture_output=True, timeout=300)  # fmt: skip
            print(done.stdout.strip() or done.stderr.strip())
            if done.returncode != 0:
                return 1
        finally:
            close_connections()
            with admin.connect() as conn:
                conn.exec_driver_sql(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    f"WHERE datname = '{database}' AND pid <> pg_backend_pid()"
                )
                conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {database}")
            admin.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
