"""A moto S3 server per test session, on 127.0.0.1, stopped at the end."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("s3fs", reason="needs 'cairn[s3]'")
pytest.importorskip("moto", reason="needs moto[server] (the dev extra)")


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    from cairn.testing.emulators import moto_s3

    with moto_s3() as endpoint:
        yield endpoint


@pytest.fixture(autouse=True)
def no_aws_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """botocore never reads this machine's AWS configuration or credentials."""
    for var in list(os.environ):
        if var.startswith("AWS_") and var != "AWS_CA_BUNDLE":
            monkeypatch.delenv(var)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
