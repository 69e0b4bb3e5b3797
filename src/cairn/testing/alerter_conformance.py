"""What every alerter flavor must do: deliver, report failures as ``False``, validate params, ask.

Subclass :class:`AlerterConformance`, start a receiver for the flavor (an HTTP,
SMTP or API server on 127.0.0.1) in your test class, and implement:

- :meth:`make_alerter`: an alerter that delivers to that receiver;
- :meth:`received`: the texts the receiver got so far, oldest first;
- :meth:`make_unreachable_alerter`: the same alerter pointed where nothing listens;
- for flavors that can ask (``CAN_ASK = True``), :meth:`answer_next_question`.
"""

from __future__ import annotations

from typing import Any

from cairn.testing._helpers import expect_error


def _raises_naming(error: type[BaseException], text: str, call: Any) -> None:
    with expect_error(error):
        try:
            call()
        except error as exc:
            assert text in str(exc), f"{error.__name__} should say {text!r}: {exc}"
            raise


class AlerterConformance:
    """Conformance suite for an alerter flavor (see the module's docs)."""

    #: Whether the flavor reads answers (``ask`` works) or refuses to ask.
    CAN_ASK: bool = False

    def make_alerter(self) -> Any:
        """An alerter delivering to the receiver this test runs."""
        raise NotImplementedError("implement make_alerter() in your test class")

    def received(self) -> list[str]:
        """The texts of the messages the receiver got so far, oldest first."""
        raise NotImplementedError("implement received() in your test class")

    def make_unreachable_alerter(self) -> Any:
        """The alerter pointed at an address of 127.0.0.1 where nothing listens."""
        raise NotImplementedError("implement make_unreachable_alerter() in your test class")

    def answer_next_question(self, text: str) -> None:
        """Arrange for the next question to be answered with ``text`` (``CAN_ASK`` flavors)."""
        raise NotImplementedError("implement answer_next_question() in your test class")

    # ------------------------------------------------------------ tests
    def test_post_is_delivered(self) -> None:
        before = len(self.received())
        assert self.make_alerter().post("conformance: the model is ready") is True
        texts = self.received()
        assert len(texts) == before + 1
        assert "conformance: the model is ready" in texts[-1]

    def test_post_with_a_title(self) -> None:
        assert self.make_alerter().post("with a title", params={"title": "Conformance"}) is True
        assert "with a title" in self.received()[-1]

    def test_unknown_params_are_refused_by_name(self) -> None:
        from cairn.exceptions import ConfigurationError

        alerter = self.make_alerter()
        _raises_naming(
            ConfigurationError, "no_such_option",
            lambda: alerter.post("x", params={"no_such_option": 1}),
        )  # fmt: skip

    def test_failed_delivery_is_false_not_an_exception(self) -> None:
        assert self.make_unreachable_alerter().post("nobody listens") is False

    def test_run_alerts_are_off_by_default(self) -> None:
        alerter = self.make_alerter()
        assert alerter.notify_on_failure is False and alerter.notify_on_success is False

    def test_ask(self) -> None:
        from cairn.exceptions import IllegalOperationError

        alerter = self.make_alerter()
        if not self.CAN_ASK:
            _raises_naming(IllegalOperationError, "cannot ask", lambda: alerter.ask("deploy?"))
            return
        self.answer_next_question("approve")
        assert alerter.ask("conformance: deploy?", params={"timeout": 10}) is True
        self.answer_next_question("reject")
        assert alerter.ask("conformance: deploy again?", params={"timeout": 10}) is False
        assert alerter.ask("conformance: anyone?", params={"timeout": 0.2}) is False
