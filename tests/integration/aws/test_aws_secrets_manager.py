"""The aws secrets manager against moto's AWS emulator, run on 127.0.0.1 by the test."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

pytest.importorskip("boto3")
moto_server = pytest.importorskip("moto.server")

from cairn.enums import StackComponentType as T  # noqa: E402
from cairn.exceptions import StoreError  # noqa: E402
from cairn.testing import SecretsManagerConformance  # noqa: E402

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=_free_port(),
                                            verbose=False)  # fmt: skip
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def _no_ambient_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def _manager(endpoint: str, prefix: str = "cairn/") -> object:
    from cairn.integrations.aws.secrets_manager import AWSSecretsManager

    return AWSSecretsManager(name="aws", endpoint_url=endpoint, prefix=prefix,
                             aws_access_key_id="testing",
                             aws_secret_access_key="testing")  # fmt: skip


@pytest.mark.usefixtures("endpoint")
class TestAWSSecretsManager(SecretsManagerConformance):
    @pytest.fixture(autouse=True)
    def _endpoint(self, endpoint: str) -> None:
        self.endpoint = endpoint

    def make_component(self) -> object:
        return _manager(self.endpoint)


def test_secrets_are_json_with_a_schema_tag(endpoint: str) -> None:
    import boto3

    manager = _manager(endpoint)
    manager.register_secret("db", {"username": "u", "password": "p"}, schema="basic_auth")  # type: ignore[attr-defined]
    client = boto3.client("secretsmanager", endpoint_url=endpoint, region_name="us-east-1",
                          aws_access_key_id="testing", aws_secret_access_key="testing")  # fmt: skip
    raw = client.get_secret_value(SecretId="cairn/db")["SecretString"]
    assert raw == '{"username": "u", "password": "p"}'
    tags = client.describe_secret(SecretId="cairn/db")["Tags"]
    assert {"Key": "cairn:schema", "Value": "basic_auth"} in tags
    client.create_secret(Name="not-cairn", SecretString="x")
    assert "not-cairn" not in manager.list_secrets()  # type: ignore[attr-defined]
    other = _manager(endpoint, prefix="team-b/")
    assert other.list_secrets() == []  # type: ignore[attr-defined]
    manager.delete_secret("db")  # type: ignore[attr-defined]


def test_an_unreachable_endpoint_is_one_clear_error() -> None:
    manager = _manager(f"http://127.0.0.1:{_free_port()}")
    with pytest.raises(StoreError, match="Cannot reach AWS Secrets Manager"):
        manager.get_secret("x")  # type: ignore[attr-defined]


def test_its_credentials_are_references_into_the_default_manager(endpoint: str) -> None:
    from cairn.stack import StackRegistry

    registry = StackRegistry()
    aws = registry.register_component(
        T.SECRETS_MANAGER, "aws", "aws",
        {"endpoint_url": endpoint, "aws_access_key_id": "testing",
         "aws_secret_access_key": "testing"},
    )  # fmt: skip
    record = registry.store.get_component(T.SECRETS_MANAGER, "aws")
    assert record.config["aws_secret_access_key"] == (
        "{{secrets-manager-aws-aws-secret-access-key.value}}"
    )
    registry.update_stack("default", {T.SECRETS_MANAGER: "aws"})
    live = registry.get_stack().secrets_manager
    assert live is not None
    live.register_secret("api", {"token": "t0k3n"})
    assert live.get_secret("api")["token"].get_secret_value() == "t0k3n"
    assert aws.name == "aws"
