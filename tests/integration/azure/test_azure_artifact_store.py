"""The ``azure`` artifact store against azurite (npm), started on 127.0.0.1 by the test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from cairn.testing import ArtifactStoreConformance
from cairn.testing.emulators import azurite_blob, azurite_command

pytest.importorskip("adlfs", reason="needs 'cairn[azure]'")

from cairn.integrations.azure.artifact_store import AzureArtifactStore

pytestmark = [
    pytest.mark.integration,
    # aiohttp warns when adlfs hands it a block as bytes (a hint about event-loop latency)
    pytest.mark.filterwarnings("ignore:Sending a large body directly:ResourceWarning"),
]


@pytest.fixture(scope="module")
def connection_string() -> Iterator[str]:
    if azurite_command() is None:
        message = "azurite is not installed (npm install, see .ci/run)"
        if __import__("os").environ.get("CAIRN_REQUIRE_SERVERS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    with azurite_blob() as value:
        yield value


def azure_store(connection_string: str) -> AzureArtifactStore:
    container = f"cairn-{uuid.uuid4().hex[:12]}"
    store = AzureArtifactStore(name="az", path=f"az://{container}/cairn",
                               connection_string=connection_string)  # fmt: skip
    store.provision()
    return store


class TestAzureArtifactStoreConformance(ArtifactStoreConformance):
    ATOMIC_RENAME = False
    TRANSACTIONAL_WRITES = True

    def setup_method(self, method: Any = None) -> None:
        """Deferred to ``_setup`` (the emulator fixture runs after setup_method)."""

    def teardown_method(self, method: Any = None) -> None:
        """Done by ``_setup``."""

    @pytest.fixture(autouse=True)
    def _setup(self, connection_string: str) -> Iterator[None]:
        self.connection_string = connection_string
        ArtifactStoreConformance.setup_method(self)
        yield
        ArtifactStoreConformance.teardown_method(self)

    def make_store(self) -> AzureArtifactStore:
        return azure_store(self.connection_string)


def test_credentials_are_secret_fields() -> None:
    store = AzureArtifactStore(
        name="az", path="az://c", account_name="acct",
        account_key="key-value-secret", client_secret="sp-secret",
    )  # fmt: skip
    assert {"connection_string", "account_key", "sas_token", "client_secret"} <= (
        AzureArtifactStore.secret_fields()
    )
    shown = str(store.config_dict()) + repr(store)
    assert "key-value-secret" not in shown and "sp-secret" not in shown


def test_other_schemes_are_refused() -> None:
    with pytest.raises(ValueError, match="az://"):
        AzureArtifactStore(name="az", path="s3://bucket")
