"""The ``s3`` artifact store against moto's S3 server."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from cairn.enums import StackComponentType as T
from cairn.integrations.s3.artifact_store import S3ArtifactStore
from cairn.stack import StackRegistry
from cairn.testing import ArtifactStoreConformance

pytestmark = pytest.mark.integration


def new_bucket() -> str:
    return f"cairn-{uuid.uuid4().hex[:12]}"


def s3_store(endpoint: str, bucket: str, **extra: Any) -> S3ArtifactStore:
    return S3ArtifactStore(name="s3", path=f"s3://{bucket}/cairn", endpoint_url=endpoint,
                           key="testing", secret="testing-secret", **extra)  # fmt: skip


class TestS3ArtifactStoreConformance(ArtifactStoreConformance):
    ATOMIC_RENAME = False
    TRANSACTIONAL_WRITES = True

    @pytest.fixture(autouse=True)
    def _endpoint(self, moto_endpoint: str) -> None:
        self.endpoint = moto_endpoint

    def setup_method(self, method: Any = None) -> None:
        """Deferred to ``_setup`` (the endpoint fixture runs after setup_method)."""

    @pytest.fixture(autouse=True)
    def _setup(self, _endpoint: None) -> Any:
        ArtifactStoreConformance.setup_method(self)
        yield
        ArtifactStoreConformance.teardown_method(self)

    def teardown_method(self, method: Any = None) -> None:
        """Done by ``_setup``."""

    def make_store(self) -> S3ArtifactStore:
        # two parts in flight: what a write holds (parts x part size x the client's own
        # copies) stays under half of the suite's large file (see the test below)
        store = s3_store(self.endpoint, new_bucket(), max_concurrency=2)
        store.provision()
        return store


def _write_peak(store: S3ArtifactStore, size: int) -> int:
    import tracemalloc

    data = b"\x01" * size
    tracemalloc.start()
    try:
        with store.open(store.join(f"f{size}.bin"), "wb") as f:
            f.write(memoryview(data))
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_concurrent_part_uploads_hold_a_bounded_amount_whatever_the_size(
    moto_endpoint: str,
) -> None:
    """Eight parts in flight: the memory a write holds does not grow with the file."""
    store = s3_store(moto_endpoint, new_bucket(), max_concurrency=8)
    store.provision()
    small, large = _write_peak(store, 80 * 2**20), _write_peak(store, 240 * 2**20)
    assert large < small * 1.25, (small, large)  # about 8 parts x 8 MiB x the client copies
    assert store.size(store.join(f"f{240 * 2**20}.bin")) == 240 * 2**20


def test_large_reads_stream_into_the_buffer_and_small_files_are_one_put(
    moto_endpoint: str,
) -> None:
    import os

    store = s3_store(moto_endpoint, new_bucket(), read_streams=3)
    store.provision()
    data = os.urandom(30 * 2**20 + 17)
    with store.open(store.join("a.bin"), "wb") as f:
        f.write(data[:100])
        f.write(memoryview(data)[100:])
    into = bytearray(len(data) + 10)
    with store.open(store.join("a.bin"), "rb") as f:
        assert f.read(5) == data[:5]
        assert f.readinto(memoryview(into)[5:]) == len(data) - 5
    assert bytes(into[5 : len(data)]) == data[5:]
    with store.open(store.join("small.bin"), "wb") as f:
        f.write(b"tiny")
    assert store.open(store.join("small.bin"), "rb").read() == b"tiny"


def test_the_private_s3fs_names_the_fast_reads_use_still_exist() -> None:
    """``_transfers.read_ranges_into`` awaits ``S3FileSystem._call_s3`` (fails loudly if gone)."""
    import inspect

    import s3fs

    assert inspect.iscoroutinefunction(s3fs.S3FileSystem._call_s3)


def test_credentials_are_secret_fields(moto_endpoint: str) -> None:
    store = s3_store(moto_endpoint, "b", token="session-token")
    assert {"key", "secret", "token"} <= S3ArtifactStore.secret_fields()
    shown = str(store.config_dict()) + repr(store) + str(store)
    for secret in ("testing-secret", "session-token"):
        assert secret not in shown


def test_registered_store_keeps_secrets_out_of_the_displayed_config(moto_endpoint: str) -> None:
    from cairn.stack.registry import masked_config

    registry = StackRegistry()
    params = {"path": "s3://bucket/x", "endpoint_url": moto_endpoint,
              "key": "AKIDEXAMPLE", "secret": "very-secret"}  # fmt: skip
    registry.register_component(T.ARTIFACT_STORE, "team_s3", "s3", params)
    record = registry.store.get_component(T.ARTIFACT_STORE, "team_s3")
    assert "very-secret" not in str(masked_config(record))
    store = registry.get_component(T.ARTIFACT_STORE, "team_s3")
    assert isinstance(store, S3ArtifactStore) and store.path == "s3://bucket/x"


def test_other_schemes_are_refused() -> None:
    from cairn.exceptions import ConfigurationError

    with pytest.raises(ConfigurationError, match="s3://"):
        StackRegistry().register_component(T.ARTIFACT_STORE, "x", "s3", {"path": "/tmp/a"})


def test_provision_creates_the_bucket_and_is_idempotent(moto_endpoint: str) -> None:
    store = s3_store(moto_endpoint, new_bucket())
    assert not store.is_provisioned
    store.provision()
    store.provision()
    assert store.is_provisioned
    store.deprovision()
    assert store.is_provisioned  # the bucket (the user's data) is kept


def test_a_failed_upload_leaves_no_pending_multipart_upload(moto_endpoint: str) -> None:
    import boto3

    bucket = new_bucket()
    store = s3_store(moto_endpoint, bucket, max_concurrency=2)
    store.provision()
    with pytest.raises(RuntimeError), store.open(store.join("big.bin"), "wb") as f:
        f.write(b"x" * (40 * 1024 * 1024))
        raise RuntimeError("stop")
    client = boto3.client("s3", endpoint_url=moto_endpoint, aws_access_key_id="testing",
                          aws_secret_access_key="testing-secret")  # fmt: skip
    assert client.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    assert client.list_objects_v2(Bucket=bucket).get("KeyCount") == 0


def test_an_unreachable_endpoint_is_named_in_the_error() -> None:
    store = s3_store("http://127.0.0.1:9", new_bucket(),
                     config_kwargs={"retries": {"max_attempts": 1}})  # fmt: skip
    with pytest.raises(Exception, match=r"127\.0\.0\.1:9"):
        store.exists(store.join("x"))
