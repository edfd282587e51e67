"""Message keys the study engine returns; the bot renders them from its catalogues (each key's
parameters: docs/study.md, "Message keys")."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import attrs

__all__ = ["Message", "MessageKey"]

MessageKey = enum.StrEnum(
    "MessageKey",
    "WELCOME CONSENT CONSENT_NEEDED CONSENT_RECORDED NOT_REGISTERED NOT_ACTIVE SETTING_INVALID"
    " TIMEZONE_INVALID SETTINGS_SAVED STUDY_STARTED BEEP BEEP_PRACTICE BEEP_PILOT REMINDER"
    " BEEP_EXPIRED BEEP_EXPIRED_LAST BEEP_EXPIRED_FINAL CONTINUATION_ADDED EDIT_RECORDED REPETITIVE"
    " STATUS_WAITING STATUS_NO_REPORTS NO_BEEP_PENDING EMPTY_TEXT TOO_LONG FEEDBACK_TRAINING"
    " FEEDBACK_PRACTICE RETRY_OFFER RETRY_RECORDED LATE_REPORT THANKS AI_RATE_LIMITED"
    " AI_UNAVAILABLE PERSONAL_HINT_ISSUE PERSONAL_HINT_PHENOMENA DAY_PASSED DAY_REPEAT"
    " DAY_ADVANCED TRAINING_COMPLETE STUDY_COMPLETE PAUSED ALREADY_PAUSED RESUMED NOT_PAUSED"
    " WITHDRAWN DELETE_DONE STATUS",
)
"""Every message the engine can ask the bot to send (values, lower case, are catalogue keys)."""


def _frozen(params: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(params))


@attrs.frozen(hash=False)
class Message:
    """One message to send: a catalogue key and its template parameters."""

    key: MessageKey
    params: Mapping[str, Any] = attrs.field(factory=dict, converter=_frozen)


def message(key: MessageKey, **params: Any) -> Message:
    """Shorthand for ``Message(key, params)``."""
    return Message(key, params)
