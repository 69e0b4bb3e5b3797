"""The ``slack`` alerter: messages to a channel; questions answered in the message's thread.

``slack_token`` (a bot token with ``chat:write`` and ``channels:history`` /
``groups:history``) and ``slack_channel_id`` are secret fields, so they can be
secret references. ``ask`` posts the question, then reads the replies of that
message every ``poll_interval`` seconds until one approves or rejects (words of
:data:`~cairn.alerters.base_alerter.APPROVE_WORDS` / ``REJECT_WORDS``) or the
timeout passes; the bot's own messages are ignored.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import Field, SecretStr

from cairn.alerters.base_alerter import AlerterError, AlerterParams, BaseAlerter

if TYPE_CHECKING:
    from slack_sdk import WebClient


class SlackParams(AlerterParams):
    """Options of one Slack message.

    Attributes:
        channel: post to this channel id instead of the alerter's.
        blocks: Slack Block Kit blocks sent with the text.
    """

    channel: str | None = None
    blocks: list[dict[str, Any]] | None = None


class SlackAlerter(BaseAlerter):
    """Posts to a Slack channel and reads answers from threads.

    Attributes:
        slack_token: the bot token (a secret).
        slack_channel_id: the channel to post to (a secret).
        base_url: the Web API's base URL (default Slack's; set for a proxy or a test server).
        poll_interval: seconds between two reads of a question's replies.
        timeout: seconds per Web API request.
    """

    FLAVOR: ClassVar[str] = "slack"
    PARAMS_CLASS: ClassVar[type[AlerterParams]] = SlackParams

    slack_token: SecretStr
    slack_channel_id: SecretStr
    base_url: str | None = None
    poll_interval: float = Field(default=5.0, gt=0)
    timeout: float = Field(default=30.0, gt=0)

    @property
    def requirements(self) -> set[str]:
        return {"slack-sdk>=3.19"}

    def _client(self) -> WebClient:
        from slack_sdk import WebClient

        options: dict[str, Any] = {"timeout": int(max(1, self.timeout))}
        if self.base_url:
            options["base_url"] = self.base_url.rstrip("/") + "/"
        return WebClient(token=self.resolve_secret(self.slack_token), **options)

    def _channel(self, params: AlerterParams) -> str:
        return getattr(params, "channel", None) or self.resolve_secret(self.slack_channel_id) or ""

    def _send(self, client: WebClient, text: str, params: AlerterParams) -> dict[str, Any]:
        from slack_sdk.errors import SlackApiError

        if params.title:
            text = f"*{params.title}*\n{text}"
        try:
            answer = client.chat_postMessage(
                channel=self._channel(params), text=text, blocks=getattr(params, "blocks", None)
            )
        except SlackApiError as exc:
            raise AlerterError(
                f"Slack alerter '{self.name}': chat.postMessage failed: "
                f"{exc.response.get('error', 'unknown error')}."
            ) from None
        return dict(answer.data) if isinstance(answer.data, dict) else {}

    def _post(self, message: str, params: AlerterParams) -> None:
        self._send(self._client(), message, params)

    def _ask(self, question: str, params: AlerterParams, timeout: float) -> bool | None:
        client = self._client()
        approve, reject = params.approve_words[0], params.reject_words[0]
        posted = self._send(
            client, f"{question}\nReply '{approve}' or '{reject}' in this thread.", params
        )
        channel, ts = posted.get("channel") or self._channel(params), posted.get("ts")
        if not ts:
            raise AlerterError(f"Slack alerter '{self.name}': the question was not posted.")
        own = posted.get("message", {})
        deadline = time.monotonic() + timeout
        while True:
            for reply in self._replies(client, channel, ts):
                if _same_author(reply, own):
                    continue
                decision = params.decision(str(reply.get("text", "")))
                if decision is not None:
                    return decision
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            time.sleep(min(self.poll_interval, left))

    def _replies(self, client: WebClient, channel: str, ts: str) -> list[dict[str, Any]]:
        from slack_sdk.errors import SlackApiError

        try:
            answer = client.conversations_replies(channel=channel, ts=ts)
        except SlackApiError as exc:
            raise AlerterError(
                f"Slack alerter '{self.name}': conversations.replies failed: "
                f"{exc.response.get('error', 'unknown error')}."
            ) from None
        messages = answer.get("messages") or []
        return [m for m in messages if isinstance(m, dict) and m.get("ts") != ts]


def _same_author(reply: dict[str, Any], own: dict[str, Any]) -> bool:
    return any(own.get(key) and reply.get(key) == own.get(key) for key in ("bot_id", "user"))
