"""What the study engine returns: frozen values with message keys, no text (docs/study.md)."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import attrs

from esm_bot.domain.models import Beep, Participant, Report
from esm_validate import Assessment

__all__ = ["Action", "ActionKind", "Message", "MessageKey", "Outcome", "ReportKind", "message"]

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


ReportKind = enum.StrEnum(
    "ReportKind",
    "ON_TIME LATE RETRY PRACTICE CONTINUATION EDIT NO_BEEP DUPLICATE EMPTY REFUSED",
)
"""What a text from a participant turned out to be (see docs/study.md, "Reports")."""

ActionKind = enum.StrEnum("ActionKind", "SEND_BEEP SEND_REMINDER EXPIRE_BEEP NOTIFY")
"""What :meth:`Study.tick` asks the bot to do (a sent beep is confirmed with ``beep_sent``)."""


@attrs.frozen
class Outcome:
    """The result of one participant-facing call: ``messages`` to send, the ``participant`` after
    it, ``ok`` (False: refused) and, for a report, its fields (docs/study.md)."""

    messages: tuple[Message, ...] = ()
    participant: Participant | None = None
    ok: bool = True
    kind: ReportKind | None = None
    report: Report | None = None
    assessment: Assessment | None = None
    retry_offered: bool = False
    latency_s: float | None = None

    @property
    def keys(self) -> tuple[MessageKey, ...]:
        """The message keys, in order."""
        return tuple(m.key for m in self.messages)


@attrs.frozen
class Action:
    """One thing :meth:`Study.tick` asks to send to ``participant`` (about ``beep``, if any)."""

    kind: ActionKind
    participant: Participant
    message: Message
    beep: Beep | None = None
