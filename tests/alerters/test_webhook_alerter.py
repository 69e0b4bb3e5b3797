"""The webhook alerter against a real HTTP server on 127.0.0.1 (signature checked)."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest

from cairn import pipeline
from cairn.alerters.webhook_alerter import WebhookAlerter
from cairn.enums import ExecutionStatus, StackComponentType
from cairn.exceptions import IllegalOperationError, PipelineRunFailedError
from cairn.stack import StackRegistry
from cairn.steps.alerter_steps import alerter_post_step
from cairn.testing import AlerterConformance

SECRET = "s3cr3t-key"


class Receiver(ThreadingHTTPServer):
    """Keeps each request; answers with the next status of ``statuses`` (then 200)."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[dict[str, Any]] = []
        self.statuses: list[int] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hook"


class _Handler(BaseHTTPRequestHandler):
    server: Receiver
    protocol_version: ClassVar[str] = "HTTP/1.1"

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.requests.append(
            {"path": self.path, "headers": dict(self.headers.items()), "body": body}
        )
        status = self.server.statuses.pop(0) if self.server.statuses else 200
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


def _verify(request: dict[str, Any], secret: str = SECRET) -> bool:
    """What a receiver does: recompute the HMAC of '<timestamp>.<body>'."""
    timestamp = request["headers"]["X-Cairn-Timestamp"]
    expected = hmac.new(
        secret.encode(), timestamp.encode() + b"." + request["body"], hashlib.sha256
    )
    return hmac.compare_digest(
        request["headers"]["X-Cairn-Signature"], "sha256=" + expected.hexdigest()
    )


def test_post_sends_signed_json(receiver: Receiver) -> None:
    alerter = WebhookAlerter(
        name="hook", url=receiver.url, secret=SECRET, headers={"Authorization": "Bearer t0k"}
    )
    assert alerter.post("model is ready", params={"title": "Training"}) is True
    (request,) = receiver.requests
    assert request["path"] == "/hook"
    assert request["headers"]["Content-Type"] == "application/json"
    assert request["headers"]["Authorization"] == "Bearer t0k"
    body = json.loads(request["body"])
    assert (body["text"], body["title"]) == ("model is ready", "Training")
    assert _verify(request)
    assert not _verify(request, "another secret")
    tampered = {**request, "body": request["body"].replace(b"ready", b"READY")}
    assert not _verify(tampered)


def test_unsigned_and_discord_payload(receiver: Receiver) -> None:
    alerter = WebhookAlerter(name="d", url=receiver.url, payload_format="discord")
    assert alerter.post("hello", params={"title": "T"})
    (request,) = receiver.requests
    assert json.loads(request["body"]) == {"content": "T\nhello"}
    assert "X-Cairn-Signature" not in request["headers"]


def test_server_errors_are_retried_with_backoff(receiver: Receiver) -> None:
    receiver.statuses = [503, 500]
    alerter = WebhookAlerter(name="r", url=receiver.url, retries=3, backoff=0.01, secret=SECRET)
    assert alerter.post("eventually") is True
    assert len(receiver.requests) == 3
    assert all(_verify(r) for r in receiver.requests)


def test_client_errors_and_exhausted_retries_return_false(
    receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    receiver.statuses = [404]
    alerter = WebhookAlerter(name="r", url=receiver.url, retries=3, backoff=0.01)
    assert alerter.post("lost") is False
    assert len(receiver.requests) == 1  # a 4xx is not retried
    receiver.statuses = [502, 502, 502]
    assert alerter.model_copy(update={"retries": 2}).post("lost") is False
    assert len(receiver.requests) == 4
    assert "failed after 3 attempt(s): HTTP 502" in caplog.text
    assert receiver.url not in caplog.text  # the URL is a secret


def test_unreachable_server_returns_false() -> None:
    alerter = WebhookAlerter(name="x", url="http://127.0.0.1:9/hook", retries=0)
    assert alerter.post("nobody listens") is False


def test_config_is_validated_and_secrets_masked() -> None:
    with pytest.raises(ValueError, match="http:// or https://"):
        WebhookAlerter(name="x", url="file:///etc/passwd")
    alerter = WebhookAlerter(
        name="x", url="https://example.org/t0k", secret="k", headers={"A": "b"}
    )
    shown = json.dumps(alerter.config_dict())
    assert "t0k" not in shown and '"k"' not in shown and '"b"' not in shown
    assert WebhookAlerter.secret_fields() == {"url", "secret", "headers"}


def test_ask_is_not_supported() -> None:
    alerter = WebhookAlerter(name="x", url="https://example.org/hook")
    with pytest.raises(IllegalOperationError, match="cannot ask questions"):
        alerter.ask("deploy?")


def _use_webhook(url: str, **config: Any) -> None:
    registry = StackRegistry()
    registry.register_component(
        StackComponentType.ALERTER, "hook", "webhook", {"url": url, "secret": SECRET, **config}
    )
    default = registry.store.get_stack("default").components
    registry.register_stack(
        "hooked", {**default, StackComponentType.ALERTER: "hook"}, activate=True
    )


@pipeline(enable_cache=False)
def announce() -> None:
    alerter_post_step("from a step", params={"title": "Step"})


def test_alerter_post_step_and_notify_on_success(receiver: Receiver) -> None:
    _use_webhook(receiver.url, notify_on_success=True)
    run = announce().run(run_name="announced")
    assert run.steps["alerter_post_step"].outputs["output"].load() is True
    texts = [json.loads(r["body"])["text"] for r in receiver.requests]
    assert texts[0] == "from a step"
    assert texts[1].startswith("Pipeline 'announce' run 'announced' completed")
    assert all(_verify(r) for r in receiver.requests)


def test_notify_on_failure_posts_once(receiver: Receiver) -> None:
    from cairn import step

    @step
    def explode() -> int:
        raise RuntimeError("disk full")

    _use_webhook(receiver.url, notify_on_failure=True)
    with pytest.raises(PipelineRunFailedError):
        pipeline(name="exploding")(lambda: explode())().run(run_name="boom")
    (request,) = receiver.requests
    text = json.loads(request["body"])["text"]
    assert "run 'boom' failed in step 'explode': RuntimeError: disk full" in text
    assert "cairn pipeline runs describe boom" in text
    from cairn.client import Client

    assert Client().get_run("boom").status == ExecutionStatus.FAILED


class TestWebhookAlerterConformance(AlerterConformance):
    @pytest.fixture(autouse=True)
    def _receiver(self, receiver: Receiver) -> None:
        self.receiver = receiver

    def make_alerter(self) -> WebhookAlerter:
        return WebhookAlerter(name="hook", url=self.receiver.url, secret=SECRET)

    def received(self) -> list[str]:
        return [json.loads(r["body"])["text"] for r in self.receiver.requests]

    def make_unreachable_alerter(self) -> WebhookAlerter:
        return WebhookAlerter(name="hook", url="http://127.0.0.1:9/hook", retries=0)
