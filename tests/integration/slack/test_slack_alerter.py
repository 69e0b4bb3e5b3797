"""The slack alerter: slack-sdk against a local HTTP server speaking the Web API methods used."""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest

pytest.importorskip("slack_sdk")

from cairn import pipeline
from cairn.enums import StackComponentType
from cairn.integrations.slack.alerter import SlackAlerter
from cairn.stack import StackRegistry
from cairn.steps.alerter_steps import alerter_ask_step
from cairn.testing import AlerterConformance
from cairn.testing.stack_component_conformance import StackComponentConformance

pytestmark = pytest.mark.integration

TOKEN, CHANNEL = "xoxb-test-token", "C0123456"


class FakeSlack(ThreadingHTTPServer):
    """chat.postMessage and conversations.replies, with replies the test scripts."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.posted: list[dict[str, Any]] = []
        self.threads: dict[str, list[dict[str, Any]]] = {}
        self.answers: list[dict[str, Any]] = []  # replies added to the next question's thread
        self.reads = 0
        self.lock = threading.Lock()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/api/"

    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            ts = f"{time.time():.6f}"
            message = {"type": "message", "text": body.get("text"), "ts": ts,
                       "bot_id": "B_BOT", "user": "U_BOT"}  # fmt: skip
            self.posted.append(body)
            self.threads[ts] = [message, *self.answers]
            self.answers = []
            return {"ok": True, "channel": body["channel"], "ts": ts, "message": message}

    def replies(self, query: dict[str, str]) -> dict[str, Any]:
        with self.lock:
            self.reads += 1
            thread = self.threads.get(query.get("ts", ""))
            if thread is None or query.get("channel") != CHANNEL:
                return {"ok": False, "error": "thread_not_found"}
            return {"ok": True, "messages": thread}


class _Handler(BaseHTTPRequestHandler):
    server: FakeSlack
    protocol_version: ClassVar[str] = "HTTP/1.1"

    def _answer(self, data: dict[str, Any]) -> None:
        body = json.dumps(data).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _authorized(self) -> bool:
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            self._answer({"ok": False, "error": "invalid_auth"})
            return False
        return True

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if not self._authorized():
            return
        if self.path == "/api/chat.postMessage":
            if "json" in self.headers.get("Content-Type", ""):
                body = json.loads(raw)
            else:
                body = dict(urllib.parse.parse_qsl(raw.decode()))
            self._answer(self.server.post(body))
        elif self.path.startswith("/api/conversations.replies"):
            self._answer(self.server.replies(dict(urllib.parse.parse_qsl(raw.decode()))))
        else:
            self._answer({"ok": False, "error": "unknown_method"})

    def do_GET(self) -> None:
        if not self._authorized():
            return
        path, _, query = self.path.partition("?")
        if path == "/api/conversations.replies":
            self._answer(self.server.replies(dict(urllib.parse.parse_qsl(query))))
        else:
            self._answer({"ok": False, "error": "unknown_method"})

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    server = FakeSlack()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


def _alerter(slack: FakeSlack, **config: Any) -> SlackAlerter:
    options = {"slack_token": TOKEN, "slack_channel_id": CHANNEL, "base_url": slack.base_url,
               "poll_interval": 0.05, **config}  # fmt: skip
    return SlackAlerter(name="slack", **options)


def test_post_reaches_the_channel(slack: FakeSlack) -> None:
    assert _alerter(slack).post("accuracy 0.93", params={"title": "Training"})
    (body,) = slack.posted
    assert body["channel"] == CHANNEL
    assert body["text"] == "*Training*\naccuracy 0.93"


def test_bad_token_is_a_failed_delivery(slack: FakeSlack, caplog: pytest.LogCaptureFixture) -> None:
    assert _alerter(slack, slack_token="xoxb-wrong").post("x") is False
    assert "chat.postMessage failed: invalid_auth" in caplog.text
    assert "xoxb-wrong" not in caplog.text


def test_ask_is_answered_by_a_reply_in_the_thread(slack: FakeSlack) -> None:
    slack.answers = [
        {"type": "message", "text": "approve", "user": "U_BOT", "bot_id": "B_BOT", "ts": "2.0"},
        {"type": "message", "text": "hmm, let me look", "user": "U_ALICE", "ts": "3.0"},
        {"type": "message", "text": "Approve!", "user": "U_ALICE", "ts": "4.0"},
    ]
    assert _alerter(slack).ask("Deploy model v3?") is True
    assert slack.posted[0]["text"].startswith("Deploy model v3?\nReply 'approve' or 'reject'")


def test_ask_rejected(slack: FakeSlack) -> None:
    slack.answers = [{"type": "message", "text": "no", "user": "U_BOB", "ts": "2.0"}]
    assert _alerter(slack).ask("Deploy?") is False


def test_ask_times_out_without_answer(slack: FakeSlack) -> None:
    started = time.monotonic()
    assert _alerter(slack).ask("Anyone?", params={"timeout": 0.3}) is False
    assert time.monotonic() - started >= 0.3
    assert slack.reads >= 2  # it kept reading the thread until the timeout


def test_reply_arriving_later_is_seen(slack: FakeSlack) -> None:
    def reply_later() -> None:
        while not slack.threads:
            time.sleep(0.01)
        time.sleep(0.2)
        with slack.lock:
            thread = next(iter(slack.threads.values()))
            thread.append({"type": "message", "text": "lgtm", "user": "U_CAROL", "ts": "9.0"})

    helper = threading.Thread(target=reply_later)
    helper.start()
    assert _alerter(slack).ask("Ship it?", params={"timeout": 10}) is True
    helper.join()


def test_secret_fields_are_masked() -> None:
    alerter = SlackAlerter(name="s", slack_token=TOKEN, slack_channel_id=CHANNEL)
    assert SlackAlerter.secret_fields() == {"slack_token", "slack_channel_id"}
    assert TOKEN not in json.dumps(alerter.config_dict())


@pipeline(enable_cache=False)
def gated() -> None:
    alerter_ask_step("Promote?", params={"timeout": 5})


def test_alerter_ask_step_in_a_pipeline(slack: FakeSlack) -> None:
    registry = StackRegistry()
    registry.register_component(
        StackComponentType.ALERTER, "slack", "slack",
        {"slack_token": TOKEN, "slack_channel_id": CHANNEL, "base_url": slack.base_url,
         "poll_interval": 0.05},
    )  # fmt: skip
    default = registry.store.get_stack("default").components
    registry.register_stack(
        "slacky", {**default, StackComponentType.ALERTER: "slack"}, activate=True
    )
    slack.answers = [{"type": "message", "text": "yes", "user": "U_DAN", "ts": "2.0"}]
    run = gated().run()
    assert run.steps["alerter_ask_step"].outputs["output"].load() is True


class TestSlackAlerterConformance(StackComponentConformance):
    def make_component(self) -> Any:
        return SlackAlerter(name="s", slack_token=TOKEN, slack_channel_id=CHANNEL)


class TestSlackAlerterBehaviourConformance(AlerterConformance):
    CAN_ASK = True

    @pytest.fixture(autouse=True)
    def _server(self, slack: FakeSlack) -> None:
        self.slack = slack

    def make_alerter(self) -> SlackAlerter:
        return _alerter(self.slack)

    def received(self) -> list[str]:
        return [str(body["text"]) for body in self.slack.posted]

    def make_unreachable_alerter(self) -> SlackAlerter:
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        return _alerter(self.slack, base_url=f"http://127.0.0.1:{port}/api/")

    def answer_next_question(self, text: str) -> None:
        self.slack.answers = [{"type": "message", "text": text, "user": "U_ERIN", "ts": "2.0"}]
