"""The ``email`` alerter: messages as mail through an SMTP server (standard library only).

``security`` chooses how the connection is protected: ``starttls`` (port 587,
the default), ``ssl`` (SMTPS, port 465) or ``none`` (a local relay only).
``username``/``password`` are secrets, used when given. An email alerter cannot
read answers, so :meth:`~cairn.alerters.BaseAlerter.ask` raises and says so.

Example:
    ``cairn alerter register mail -f email --smtp_host=smtp.example.org
    --sender=cairn@example.org --recipients='["team@example.org"]' --password=...``
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import ClassVar, Literal

from pydantic import Field, SecretStr

from cairn.alerters.base_alerter import AlerterError, AlerterParams, BaseAlerter


class EmailParams(AlerterParams):
    """Options of one mail.

    Attributes:
        recipients: send to these addresses instead of the alerter's ``recipients``.
    """

    recipients: list[str] | None = None


class EmailAlerter(BaseAlerter):
    """Sends messages as plain-text mail.

    Attributes:
        smtp_host: the SMTP server.
        smtp_port: its port (587 for starttls, 465 for ssl, 25 for none).
        security: ``starttls``, ``ssl`` or ``none``.
        username: SMTP login, if the server needs one.
        password: SMTP password (a secret).
        sender: the From address.
        recipients: the To addresses.
        subject_prefix: put before every subject.
        ca_file: a CA bundle to verify the server's certificate with (default: the system's).
        timeout: seconds for connecting and each SMTP command.
    """

    FLAVOR: ClassVar[str] = "email"
    PARAMS_CLASS: ClassVar[type[AlerterParams]] = EmailParams

    smtp_host: str
    smtp_port: int = Field(default=587, gt=0, lt=65536)
    security: Literal["starttls", "ssl", "none"] = "starttls"
    username: SecretStr | None = None
    password: SecretStr | None = None
    sender: str
    recipients: list[str] = Field(min_length=1)
    subject_prefix: str = "[cairn]"
    ca_file: str | None = None
    timeout: float = Field(default=30.0, gt=0)

    def message(self, text: str, params: AlerterParams) -> EmailMessage:
        """The mail for ``text``: subject from the title (or the first line)."""
        recipients = getattr(params, "recipients", None) or self.recipients
        first_line = text.strip().splitlines()[0][:80] if text.strip() else "alert"
        title = params.title or first_line
        mail = EmailMessage()
        mail["Subject"] = f"{self.subject_prefix} {title}".strip()
        mail["From"] = self.sender
        mail["To"] = ", ".join(recipients)
        mail["Date"] = formatdate(localtime=True)
        mail["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2] or None)
        mail.set_content(text)
        return mail

    def _tls(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.ca_file)

    def _connect(self) -> smtplib.SMTP:
        if self.security == "ssl":
            return smtplib.SMTP_SSL(
                self.smtp_host, self.smtp_port, timeout=self.timeout, context=self._tls()
            )
        client = smtplib.SMTP(self.smtp_host, self.smtp_port, timeout=self.timeout)
        if self.security == "starttls":
            client.starttls(context=self._tls())
        return client

    def _post(self, message: str, params: AlerterParams) -> None:
        mail = self.message(message, params)
        try:
            with self._connect() as client:
                if self.username is not None and self.password is not None:
                    user = self.resolve_secret(self.username) or ""
                    client.login(user, self.resolve_secret(self.password) or "")
                refused = client.send_message(mail)
        except (smtplib.SMTPException, OSError) as exc:
            raise AlerterError(
                f"Email alerter '{self.name}' could not send through "
                f"{self.smtp_host}:{self.smtp_port}: {type(exc).__name__}: {_short(exc)}"
            ) from None
        if refused:
            raise AlerterError(
                f"Email alerter '{self.name}': the server refused {', '.join(sorted(refused))}."
            )


def _short(exc: BaseException) -> str:
    """An SMTP error without what the server echoed back (it may repeat credentials)."""
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code}"
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
