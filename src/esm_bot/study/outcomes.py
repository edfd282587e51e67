"""What the study engine returns: frozen values with message keys, no text."""

from __future__ import annotations

import datetime as dt
import enum

import attrs

from esm_bot.domain.models import Beep, Participant, Report
from esm_bot.study.analytics import ComplianceRow, PhenomenonRow
from esm_bot.study.messages import Message, MessageKey
from esm_validate import Assessment

__all__ = ["Action", "ActionKind", "Outcome", "ReportKind", "ReportOutcome", "StatusSummary"]

ReportKind = enum.StrEnum(
    "ReportKind",
    "ON_TIME LATE RETRY PRACTICE CONTINUATION EDIT NO_BEEP DUPLICATE EMPTY REFUSED",
)
"""What a text from a participant turned out to be (see docs/study.md, "Reports")."""

ActionKind = enum.StrEnum("ActionKind", "SEND_BEEP SEND_REMINDER EXPIRE_BEEP NOTIFY")
"""What :meth:`Study.tick` asks the bot to do: send a beep (then confirm it with ``beep_sent``),
the reminder, edit an expired beep's message, or send a notice."""


@attrs.frozen
class Outcome:
    """The result of one participant-facing call; the bot renders the messages in order.

    Attributes:
        messages: What to send (may be empty).
        participant: The participant after the call (None when unknown or deleted).
        ok: False when the call was refused (not registered, bad setting...).
        kind: What a text turned out to be (``REFUSED`` for any refused call).
        report: The stored report (the first one for a duplicate), if any.
        beep: The beep a report answers, if any.
        assessment: The validator's judgement, if the text was validated.
        retry_offered: True when a second version is invited.
        latency_s: Seconds from the beep's delivery to the report.
    """

    messages: tuple[Message, ...] = ()
    participant: Participant | None = None
    ok: bool = True
    kind: ReportKind | None = None
    report: Report | None = None
    beep: Beep | None = None
    assessment: Assessment | None = None
    retry_offered: bool = False
    latency_s: float | None = None

    @property
    def keys(self) -> tuple[MessageKey, ...]:
        """The message keys, in order."""
        return tuple(m.key for m in self.messages)

    @property
    def lang(self) -> str:
        """The language to render in (``"ru"`` when the participant is unknown)."""
        return self.participant.lang if self.participant else "ru"

    @property
    def address_form(self) -> str:
        """The address form to render in."""
        return str(self.participant.address_form) if self.participant else "informal"


ReportOutcome = Outcome
"""What :meth:`Study.handle_text` returns (an :class:`Outcome` with its report fields set)."""


@attrs.frozen
class StatusSummary:
    """A participant's progress for ``/status`` and researchers (fields as in ``status``).

    ``missed`` counts beeps expired or never delivered; ``progress`` is ``average / threshold``
    in percent (at most 100); ``compliance`` is the per-day rows then the total row.
    """

    state: str
    study_day: int
    training_day: int
    answered: int
    late: int
    missed: int
    average: float
    threshold: int
    progress: int
    today_answered: int
    today_planned: int
    phenomena: tuple[PhenomenonRow, ...] = ()
    compliance: tuple[ComplianceRow, ...] = ()


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
