"""Every built-in flavor passes the stack component conformance suite."""

from __future__ import annotations

from typing import Any

from cairn.alerters.email_alerter import EmailAlerter
from cairn.alerters.webhook_alerter import WebhookAlerter
from cairn.artifact_stores import LocalArtifactStore
from cairn.container_registries import DefaultContainerRegistry
from cairn.metadata_stores.sqlite_metadata_store import SQLiteMetadataStore
from cairn.orchestrators.local_orchestrator import LocalOrchestrator
from cairn.secrets_managers.env_secrets_manager import EnvSecretsManager
from cairn.secrets_managers.local_secrets_manager import LocalSecretsManager
from cairn.stack.flavor_catalog import BUILTIN_FLAVORS
from cairn.step_operators import LocalProcessStepOperator
from cairn.testing import StackComponentConformance


class TestLocalOrchestratorConformance(StackComponentConformance):
    def make_component(self) -> Any:
        return LocalOrchestrator(name="orchestrator")


class TestLocalArtifactStoreComponentConformance(StackComponentConformance):
    def make_component(self) -> Any:
        return LocalArtifactStore(name="artifacts", path=self.temporary_directory())


class TestSQLiteMetadataStoreConformance(StackComponentConformance):
    def make_component(self) -> Any:
        return SQLiteMetadataStore(name="metadata", uri=f"{self.temporary_directory()}/m.db")


class TestDefaultContainerRegistryComponentConformance(StackComponentConformance):
    def make_component(self) -> Any:
        return DefaultContainerRegistry(name="registry", uri="localhost:5000")


class TestWebhookAlerterConformance(StackComponentConformance):
    def make_component(self) -> Any:
        return WebhookAlerter(
            name="hook", url="https://example.org/t0k", secret="k3y", headers={"A": "b3arer"}
        )


class TestEmailAlerterConformance(StackComponentConformance):
    def make_component(self) -> Any:
        return EmailAlerter(
            name="mail", smtp_host="smtp.example.org", sender="a@b.c", recipients=["d@e.f"]
        )


COVERED = {
    LocalOrchestrator,
    LocalArtifactStore,
    SQLiteMetadataStore,
    DefaultContainerRegistry,
    WebhookAlerter,
    EmailAlerter,
    LocalSecretsManager,
    EnvSecretsManager,
    LocalProcessStepOperator,
}


class TestLocalProcessStepOperatorConformance(StackComponentConformance):
    def make_component(self) -> Any:
        return LocalProcessStepOperator(name="operator")


class TestLocalSecretsManagerComponentConformance(StackComponentConformance):
    STATE_METHODS = False

    def make_component(self) -> Any:
        return LocalSecretsManager(name="secrets", path=f"{self.temporary_directory()}/s")


class TestEnvSecretsManagerComponentConformance(StackComponentConformance):
    STATE_METHODS = False

    def make_component(self) -> Any:
        return EnvSecretsManager(name="env")


def test_every_builtin_flavor_is_covered() -> None:
    from cairn.stack.source_utils import load_source

    assert {load_source(entry.source) for entry in BUILTIN_FLAVORS} == COVERED
