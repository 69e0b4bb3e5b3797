"""The MLflow tracker sends its credentials as a request header, never through os.environ."""

from __future__ import annotations

import base64
import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from cairn.enums import StackComponentType as T
from cairn.stack import StackRegistry

pytest.importorskip("mlflow")
pytestmark = [pytest.mark.integration, pytest.mark.filterwarnings("ignore")]

USER, PASSWORD = "tracker-user-9f3", "tracker-pw-77a1"


@pytest.fixture
def recorder() -> Iterator[tuple[str, list[dict[str, str]]]]:
    """An HTTP server on 127.0.0.1 answering MLflow's experiment search; records headers."""
    seen: list[dict[str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _answer(self) -> None:
            seen.append(dict(self.headers))
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            body = json.dumps({"experiments": []}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _answer

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_credentials_go_in_a_header_only_inside_the_tracker_s_context(
    recorder: tuple[str, list[dict[str, str]]],
) -> None:
    from mlflow.tracking import MlflowClient

    from cairn.integrations.mlflow.auth import tracker_credentials

    url, seen = recorder
    registry = StackRegistry()
    registry.register_component(T.EXPERIMENT_TRACKER, "remote", "mlflow", {
        "tracking_uri": url, "tracking_username": USER, "tracking_password": PASSWORD,
    })  # fmt: skip
    registry.update_stack("default", {T.EXPERIMENT_TRACKER: "remote"})
    tracker = registry.get_stack().experiment_tracker
    assert tracker is not None
    with tracker_credentials(tracker):
        MlflowClient(url).search_experiments()
    MlflowClient(url).search_experiments()  # outside: no credentials
    expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    assert seen[0].get("Authorization") == expected
    assert "Authorization" not in seen[-1]
    assert not [v for v in os.environ.values() if USER in v or PASSWORD in v]
    assert "MLFLOW_TRACKING_PASSWORD" not in os.environ
