"""What the study engine returns: frozen values with message keys, no text."""

from __future__ import annotations

import datetime as dt
import enum

import attrs

from esm_bot.domain.models import Beep, Participant, Report
from esm_bot.study.messages import Message, MessageKey
from esm_validate import Assessment

__all__ = ["Action", "ActionKind", "Outcome", "ReportKind"]

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
    """One thing to send from :meth:`Study.tick`, to ``chat_id`` in ``lang``/``address_form``;
    ``beep`` is the beep concerned, ``due_at`` when it became due (UTC)."""

    kind: ActionKind
    participant_id: str
    chat_id: int | None
    lang: str
    address_form: str
    message: Message
    beep: Beep | None = None
    due_at: dt.datetime | None = None
