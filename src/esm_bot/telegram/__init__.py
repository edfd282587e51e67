"""Talking to Telegram: the rate-limited, retrying :class:`Sender` and its :class:`SendLimiter`."""

from __future__ import annotations

from .limiter import SendLimiter, Slot
from .sender import MAX_MESSAGE_CHARS, Delivery, Sender, classify

__all__ = ["MAX_MESSAGE_CHARS", "Delivery", "SendLimiter", "Sender", "Slot", "classify"]
