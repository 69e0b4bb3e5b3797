"""Property-based tests of the API against its own OpenAPI document (schemathesis).

Every operation is called with generated parameters over a store with real runs
(recorded per test in its own config folder); each response must be no server
error and must match the documented schema, status codes and content type.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from cairn.client import Client
from cairn.dashboard import create_app

from .conftest import Recorded

#: The document is the app's own (building it reads no store).
schema = schemathesis.openapi.from_dict(create_app(Client(), stack_name="-").openapi())


@pytest.fixture
def app(recorded: Recorded) -> Any:
    return create_app(Client())


@pytest.mark.slow
@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_conforms_to_its_openapi_document(case: Any, app: Any) -> None:
    case.call_and_validate(app=app)
