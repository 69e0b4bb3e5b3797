"""The email alerter against a real SMTP server (aiosmtpd) on 127.0.0.1: plain, STARTTLS, SSL."""

from __future__ import annotations

import email
import shutil
import socket
import ssl
import subprocess
from collections.abc import Callable, Iterator
from email.message import Message
from pathlib import Path
from typing import Any

import pytest

from cairn.alerters.email_alerter import EmailAlerter
from cairn.exceptions import IllegalOperationError
from cairn.testing import AlerterConformance

pytest.importorskip("aiosmtpd")
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER, PASSWORD = "cairn", "pa55-w0rd"


class Inbox:
    """An aiosmtpd handler keeping the messages it receives."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((list(envelope.rcpt_tos), email.message_from_bytes(envelope.content)))
        return "250 OK"


def _authenticate(
    server: Any, session: Any, envelope: Any, mechanism: str, data: Any
) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (made with the openssl command)."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is not installed")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return cert, key


StartServer = Callable[..., tuple[Inbox, int]]


@pytest.fixture
def smtp_server() -> Iterator[StartServer]:
    controllers: list[Controller] = []

    def start(**options: Any) -> tuple[Inbox, int]:
        inbox, port = Inbox(), _free_port()
        controller = Controller(inbox, hostname="127.0.0.1", port=port, **options)
        controller.start()
        controllers.append(controller)
        return inbox, port

    yield start
    for controller in controllers:
        controller.stop()


def _tls(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


def test_plain_smtp_delivers_the_mail(smtp_server: StartServer) -> None:
    inbox, port = smtp_server()
    alerter = EmailAlerter(
        name="mail", smtp_host="127.0.0.1", smtp_port=port, security="none",
        sender="cairn@example.org", recipients=["team@example.org", "ops@example.org"],
    )  # fmt: skip
    assert alerter.post("Run 'r1' failed.\nmore lines", params={"title": "Run failed"})
    ((rcpt, mail),) = inbox.messages
    assert rcpt == ["team@example.org", "ops@example.org"]
    assert mail["Subject"] == "[cairn] Run failed"
    assert mail["From"] == "cairn@example.org"
    body = mail.get_payload(decode=True).decode().replace("\r\n", "\n")
    assert body.strip() == "Run 'r1' failed.\nmore lines"
    assert alerter.post("no title here", params={"recipients": ["x@example.org"]})
    rcpt, mail = inbox.messages[1]
    assert rcpt == ["x@example.org"] and mail["Subject"] == "[cairn] no title here"


def test_starttls_with_login(smtp_server: StartServer, certificate: tuple[Path, Path]) -> None:
    inbox, port = smtp_server(
        tls_context=_tls(certificate), require_starttls=True, authenticator=_authenticate,
        auth_required=True,
    )  # fmt: skip
    config = {
        "name": "mail", "smtp_host": "127.0.0.1", "smtp_port": port, "security": "starttls",
        "sender": "cairn@example.org", "recipients": ["team@example.org"],
        "username": USER, "password": PASSWORD, "ca_file": str(certificate[0]),
    }  # fmt: skip
    assert EmailAlerter(**config).post("over TLS")
    assert len(inbox.messages) == 1
    assert EmailAlerter(**{**config, "password": "wrong"}).post("refused") is False
    assert EmailAlerter(**{**config, "ca_file": None}).post("untrusted cert") is False
    assert len(inbox.messages) == 1


def test_ssl_smtps(smtp_server: StartServer, certificate: tuple[Path, Path]) -> None:
    inbox, port = smtp_server(server_hostname="127.0.0.1", ssl_context=_tls(certificate))
    alerter = EmailAlerter(
        name="mail", smtp_host="127.0.0.1", smtp_port=port, security="ssl",
        sender="cairn@example.org", recipients=["team@example.org"], ca_file=str(certificate[0]),
    )  # fmt: skip
    assert alerter.post("over SMTPS")
    assert len(inbox.messages) == 1


def test_failure_message_has_no_password(
    smtp_server: StartServer, certificate: tuple[Path, Path], caplog: pytest.LogCaptureFixture
) -> None:
    _, port = smtp_server(
        tls_context=_tls(certificate), authenticator=_authenticate, auth_required=True
    )
    alerter = EmailAlerter(
        name="mail", smtp_host="127.0.0.1", smtp_port=port, sender="c@example.org",
        recipients=["t@example.org"], username=USER, password="not-" + PASSWORD,
        ca_file=str(certificate[0]),
    )  # fmt: skip
    assert alerter.post("x") is False
    assert "could not send through 127.0.0.1" in caplog.text
    assert PASSWORD not in caplog.text
    assert PASSWORD not in str(alerter.config_dict())


def test_ask_is_not_supported() -> None:
    alerter = EmailAlerter(name="m", smtp_host="h", sender="a@b.c", recipients=["d@e.f"])
    with pytest.raises(IllegalOperationError, match="email alerter 'm' cannot ask"):
        alerter.ask("deploy?")


class TestEmailAlerterConformance(AlerterConformance):
    @pytest.fixture(autouse=True)
    def _server(self, smtp_server: StartServer) -> None:
        self.inbox, self.port = smtp_server()

    def _alerter(self, port: int) -> EmailAlerter:
        return EmailAlerter(name="mail", smtp_host="127.0.0.1", smtp_port=port, security="none",
                            sender="cairn@example.org", recipients=["t@example.org"])  # fmt: skip

    def make_alerter(self) -> EmailAlerter:
        return self._alerter(self.port)

    def received(self) -> list[str]:
        return [m.get_payload(decode=True).decode() for _, m in self.inbox.messages]

    def make_unreachable_alerter(self) -> EmailAlerter:
        return self._alerter(_free_port())
