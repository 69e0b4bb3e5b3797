"""Alerters: send notifications through a channel."""

from cairn.alerters.base_alerter import BaseAlerter

__all__ = ["BaseAlerter"]
