"""The flavors Cairn knows without importing anything.

Each entry maps ``(component type, flavor name)`` to the import path of the class
that implements it. Built-in flavors ship with Cairn's core; integration flavors
need an extra (``pip install 'cairn[NAME]'``) and are imported only when used.
``modules`` are the top-level modules whose presence makes a flavor usable; they
are checked with ``importlib.util.find_spec``, which imports nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from cairn.enums import StackComponentType

_T = StackComponentType


@dataclass(frozen=True)
class CatalogEntry:
    """One known flavor: its type, name, import path and, if any, its integration."""

    type: StackComponentType
    name: str
    source: str
    integration: str | None = None
    modules: tuple[str, ...] = ()
    description: str = ""

    @property
    def install_hint(self) -> str | None:
        """The pip command that makes an integration flavor usable."""
        return f"pip install 'cairn[{self.integration}]'" if self.integration else None


#: Base class of each component type, by import path.
BASE_CLASSES: dict[StackComponentType, str] = {
    _T.ORCHESTRATOR: "cairn.orchestrators:BaseOrchestrator",
    _T.ARTIFACT_STORE: "cairn.artifact_stores:BaseArtifactStore",
    _T.METADATA_STORE: "cairn.metadata_stores:BaseMetadataStore",
    _T.CONTAINER_REGISTRY: "cairn.container_registries:BaseContainerRegistry",
    _T.SECRETS_MANAGER: "cairn.secrets_managers:BaseSecretsManager",
    _T.STEP_OPERATOR: "cairn.step_operators:BaseStepOperator",
    _T.MODEL_DEPLOYER: "cairn.model_deployers:BaseModelDeployer",
    _T.FEATURE_STORE: "cairn.feature_stores:BaseFeatureStore",
    _T.EXPERIMENT_TRACKER: "cairn.experiment_trackers:BaseExperimentTracker",
    _T.ALERTER: "cairn.alerters:BaseAlerter",
}

BUILTIN_FLAVORS: tuple[CatalogEntry, ...] = (
    CatalogEntry(_T.ORCHESTRATOR, "local",
                 "cairn.orchestrators.local_orchestrator:LocalOrchestrator",
                 description="Runs steps on this machine, independent steps in parallel."),
    CatalogEntry(_T.ARTIFACT_STORE, "local",
                 "cairn.artifact_stores.local_artifact_store:LocalArtifactStore",
                 description="Artifacts in a folder on this machine."),
    CatalogEntry(_T.METADATA_STORE, "sqlite",
                 "cairn.metadata_stores.sqlite_metadata_store:SQLiteMetadataStore",
                 description="Run metadata in a SQLite file."),
    CatalogEntry(_T.CONTAINER_REGISTRY, "default",
                 "cairn.container_registries.base_container_registry:DefaultContainerRegistry",
                 description="Any registry reached by its address."),
    CatalogEntry(_T.ALERTER, "webhook", "cairn.alerters.webhook_alerter:WebhookAlerter",
                 description="JSON POST to a URL (Discord, Teams, custom), HMAC-signed."),
    CatalogEntry(_T.ALERTER, "email", "cairn.alerters.email_alerter:EmailAlerter",
                 description="Mail through an SMTP server (STARTTLS or SSL)."),
    CatalogEntry(_T.SECRETS_MANAGER, "local",
                 "cairn.secrets_managers.local_secrets_manager:LocalSecretsManager",
                 description="Secrets encrypted at rest in files on this machine."),
    CatalogEntry(_T.SECRETS_MANAGER, "env",
                 "cairn.secrets_managers.env_secrets_manager:EnvSecretsManager",
                 description="Read-only: CAIRN_SECRET__<NAME>__<KEY> environment variables."),
    CatalogEntry(_T.STEP_OPERATOR, "local_process",
                 "cairn.step_operators.local_process_step_operator:LocalProcessStepOperator",
                 description="One step in a fresh Python process, optionally another venv."),
)  # fmt: skip

INTEGRATION_FLAVORS: tuple[CatalogEntry, ...] = (
    CatalogEntry(_T.EXPERIMENT_TRACKER, "mlflow",
                 "cairn.integrations.mlflow.experiment_tracker:MLFlowExperimentTracker",
                 "mlflow", ("mlflow",), "MLflow tracking, local server or remote URI."),
    CatalogEntry(_T.MODEL_DEPLOYER, "mlflow",
                 "cairn.integrations.mlflow.model_deployer:MLFlowModelDeployer",
                 "mlflow", ("mlflow",), "Serves MLflow models as local services."),
    CatalogEntry(_T.ORCHESTRATOR, "airflow",
                 "cairn.integrations.airflow.orchestrator:AirflowOrchestrator",
                 "airflow", ("airflow",), "Pipelines as Airflow 3 DAGs, run now or scheduled."),
    CatalogEntry(_T.ALERTER, "slack", "cairn.integrations.slack.alerter:SlackAlerter",
                 "slack", ("slack_sdk",), "Posts to a Slack channel; approvals from threads."),
    CatalogEntry(_T.ORCHESTRATOR, "ray",
                 "cairn.integrations.ray.orchestrator:RayOrchestrator",
                 "ray", ("ray",), "Each step a Ray task: a local head node or a cluster."),
    CatalogEntry(_T.STEP_OPERATOR, "ray",
                 "cairn.integrations.ray.step_operator:RayStepOperator",
                 "ray", ("ray",), "One step as a Ray task with its own resources."),
    CatalogEntry(_T.SECRETS_MANAGER, "aws",
                 "cairn.integrations.aws.secrets_manager:AWSSecretsManager",
                 "aws", ("boto3",), "AWS Secrets Manager."),
    CatalogEntry(_T.SECRETS_MANAGER, "vault",
                 "cairn.integrations.vault.secrets_manager:VaultSecretsManager",
                 "vault", ("hvac",), "HashiCorp Vault, KV version 2 secrets engine."),
    CatalogEntry(_T.FEATURE_STORE, "feast",
                 "cairn.integrations.feast.feature_store:FeastFeatureStore",
                 "feast", ("feast",), "A Feast repository: file offline, SQLite or Redis online."),
    CatalogEntry(_T.ARTIFACT_STORE, "s3",
                 "cairn.integrations.s3.artifact_store:S3ArtifactStore",
                 "s3", ("s3fs",), "Artifacts in an S3 or S3-compatible bucket (s3fs)."),
    CatalogEntry(_T.ARTIFACT_STORE, "gcp",
                 "cairn.integrations.gcp.artifact_store:GCPArtifactStore",
                 "gcp", ("gcsfs",), "Artifacts in a Google Cloud Storage bucket (gcsfs)."),
    CatalogEntry(_T.ARTIFACT_STORE, "azure",
                 "cairn.integrations.azure.artifact_store:AzureArtifactStore",
                 "azure", ("adlfs",), "Artifacts in an Azure Blob Storage container (adlfs)."),
    CatalogEntry(_T.METADATA_STORE, "postgresql",
                 "cairn.integrations.postgresql.metadata_store:PostgreSQLMetadataStore",
                 "postgresql", ("psycopg",), "Run metadata in a PostgreSQL database."),
    CatalogEntry(_T.METADATA_STORE, "mysql",
                 "cairn.integrations.mysql.metadata_store:MySQLMetadataStore",
                 "mysql", ("pymysql",), "Run metadata in a MySQL or MariaDB database."),
)  # fmt: skip


def catalog() -> tuple[CatalogEntry, ...]:
    """Every built-in and integration flavor."""
    return BUILTIN_FLAVORS + INTEGRATION_FLAVORS
