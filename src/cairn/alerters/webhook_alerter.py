"""The ``webhook`` alerter: a JSON POST to a URL (Discord, Teams, Slack or your own receiver).

Only the standard library is used. With ``secret`` set, every request carries
``X-Cairn-Timestamp`` (Unix seconds) and ``X-Cairn-Signature``:
``sha256=`` + the hex HMAC-SHA256 of ``<timestamp>.<body>`` keyed with the secret,
so a receiver can check the sender and refuse replays. Server errors (5xx), 429
and connection failures are retried with exponential backoff; other 4xx answers
fail at once.

Example:
    ``cairn alerter register hooks -f webhook --url=https://example.org/hook --secret=...``
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request
from typing import Any, ClassVar, Literal

from pydantic import Field, SecretStr, field_validator

from cairn.alerters.base_alerter import AlerterError, AlerterParams, BaseAlerter
from cairn.exceptions import ConfigurationError

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Cairn-Signature"
TIMESTAMP_HEADER = "X-Cairn-Timestamp"


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The value of ``X-Cairn-Signature`` for a request body (what receivers recompute)."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


class WebhookAlerter(BaseAlerter):
    """Posts messages as JSON to a webhook URL.

    Attributes:
        url: the webhook's URL (a secret: webhook URLs usually embed a token).
        payload_format: ``generic`` (``{"text", "title", "sent_at"}``), ``slack`` or
            ``teams`` (``{"text"}``) or ``discord`` (``{"content"}``).
        secret: key of the HMAC-SHA256 signature header (none: unsigned).
        headers: extra request headers (e.g. ``Authorization``), kept as secrets.
        timeout: seconds per request.
        retries: how many times a request is retried after a 5xx, 429 or network error.
        backoff: seconds before the first retry; doubled for each next one.
    """

    FLAVOR: ClassVar[str] = "webhook"

    url: SecretStr
    payload_format: Literal["generic", "slack", "teams", "discord"] = "generic"
    secret: SecretStr | None = None
    headers: dict[str, SecretStr] = Field(default_factory=dict)
    timeout: float = Field(default=10.0, gt=0)
    retries: int = Field(default=3, ge=0)
    backoff: float = Field(default=0.5, ge=0)

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: SecretStr) -> SecretStr:
        from cairn.stack.secret_references import is_reference

        if is_reference(value):  # checked when it is resolved, right before the POST
            return value
        if not value.get_secret_value().startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value

    def payload(self, message: str, params: AlerterParams) -> dict[str, Any]:
        """The JSON body for ``message`` in this alerter's ``payload_format``."""
        text = f"{params.title}\n{message}" if params.title else message
        if self.payload_format == "discord":
            return {"content": text}
        if self.payload_format in ("slack", "teams"):
            return {"text": text}
        return {"text": message, "title": params.title, "sent_at": time.time()}

    def _post(self, message: str, params: AlerterParams) -> None:
        body = json.dumps(self.payload(message, params)).encode()
        self._send(body)

    def _request(self, body: bytes) -> urllib.request.Request:
        headers = {"Content-Type": "application/json", "User-Agent": "cairn-webhook-alerter"}
        headers.update({k: self.resolve_secret(v) or "" for k, v in self.headers.items()})
        if self.secret is not None:
            timestamp = str(int(time.time()))
            headers[TIMESTAMP_HEADER] = timestamp
            key = self.resolve_secret(self.secret) or ""
            headers[SIGNATURE_HEADER] = signature(key, timestamp, body)
        url = self.resolve_secret(self.url) or ""
        if not url.startswith(("http://", "https://")):
            raise ConfigurationError(f"The url of {self} must be an http:// or https:// URL.")
        return urllib.request.Request(url, data=body, headers=headers, method="POST")

    def _send(self, body: bytes) -> None:
        """POST ``body``, retrying what may pass later.

        Raises:
            AlerterError: the receiver refused it, or it still failed after the retries.
        """
        delay = self.backoff
        for attempt in range(self.retries + 1):
            try:
                with urllib.request.urlopen(self._request(body), timeout=self.timeout) as answer:
                    answer.read()
                return
            except urllib.error.HTTPError as exc:
                exc.close()
                if exc.code < 500 and exc.code != 429:
                    raise AlerterError(
                        f"Webhook of alerter '{self.name}' refused the message: HTTP {exc.code}."
                    ) from None
                problem = f"HTTP {exc.code}"
            except OSError as exc:  # URLError, timeouts, refused connections
                problem = f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}"
            if attempt < self.retries:
                logger.info("webhook of alerter '%s': %s, retrying", self.name, problem)
                time.sleep(delay)
                delay *= 2
        raise AlerterError(
            f"Webhook of alerter '{self.name}' failed after {self.retries + 1} attempt(s): "
            f"{problem}."
        )
