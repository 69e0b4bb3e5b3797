"""Slack integration (``pip install 'cairn[slack]'``).

Flavor: the ``slack`` alerter (slack-sdk's ``WebClient``; posts with
``chat.postMessage`` and reads the answers to a question from its thread with
``conversations.replies``). slack-sdk is imported only inside methods.
"""

SLACK_INTEGRATION = "slack"

__all__ = ["SLACK_INTEGRATION"]
