"""Talking to Telegram: the rate-limited, retrying :class:`Sender` and its :class:`SendLimiter`,
the :class:`Intake` that records each update before it is confirmed, and the :class:`Ledger`
(outbox of owed replies, inbox of updates kept during a database outage)."""

from __future__ import annotations

from .intake import Intake
from .ledger import Ledger
from .limiter import SendLimiter
from .sender import MAX_MESSAGE_CHARS, STOPPING, Delivery, Sender

__all__ = ["MAX_MESSAGE_CHARS", "STOPPING", "Delivery", "Intake", "Ledger", "SendLimiter", "Sender"]
