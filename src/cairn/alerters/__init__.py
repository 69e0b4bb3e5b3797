"""Alerters: send notifications through a channel (and ask for approvals)."""

from cairn.alerters.base_alerter import AlerterError, AlerterParams, BaseAlerter

__all__ = ["AlerterError", "AlerterParams", "BaseAlerter"]
