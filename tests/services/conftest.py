"""A real small HTTP daemon for the service tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cairn.services import LocalService, list_services


@pytest.fixture
def service() -> Iterator[LocalService]:
    """A service id in the test's config folder, stopped at the end of the test."""
    svc = LocalService("http-test")
    yield svc
    for leftover in list_services():
        leftover.stop(grace=2.0)
