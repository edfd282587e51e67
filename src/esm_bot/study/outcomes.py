"""What the study engine returns: plain frozen values with message keys, no text.

The bot renders each :class:`~esm_bot.study.messages.Message` in the participant's language and
address form (``outcome.lang``, ``outcome.address_form``) and sends them in order.
"""

from __future__ import annotations

import datetime as dt
import enum

import attrs

from esm_bot.domain.models import Beep, Participant, Report
from esm_bot.study.analytics import ComplianceRow, PhenomenonRow
from esm_bot.study.messages import Message, MessageKey
from esm_validate import Assessment

__all__ = [
    "Action",
    "ActionKind",
    "Outcome",
    "ReportKind",
    "ReportOutcome",
    "StatusSummary",
]


@attrs.frozen
class Outcome:
    """The result of one participant-facing call.

    Attributes:
        messages: What to send, in order (may be empty: send nothing).
        participant: The participant after the call (None when unknown or deleted).
        ok: False when the call was refused (not registered, bad setting...).
    """

    messages: tuple[Message, ...] = ()
    participant: Participant | None = None
    ok: bool = True

    @property
    def keys(self) -> tuple[MessageKey, ...]:
        """The message keys, in order (handy in tests and logs)."""
        return tuple(m.key for m in self.messages)

    @property
    def lang(self) -> str:
        """The language to render in (``"ru"`` when the participant is unknown)."""
        return self.participant.lang if self.participant else "ru"

    @property
    def address_form(self) -> str:
        """The address form to render in."""
        return str(self.participant.address_form) if self.participant else "informal"


class ReportKind(enum.StrEnum):
    """What a text from a participant turned out to be."""

    #: The report of an open beep, inside its answer window.
    ON_TIME = "on_time"
    #: The report of a beep whose window had closed (still attached, flagged late).
    LATE = "late"
    #: The second version offered on a training day.
    RETRY = "retry"
    #: The report of a practice beep.
    PRACTICE = "practice"
    #: A second message right after an answered beep's report: attached to it, the whole scored.
    CONTINUATION = "continuation"
    #: A report the participant edited in Telegram: the original is kept, the edit scored.
    EDIT = "edit"
    #: No beep was open: the text is kept (unvalidated) and the participant told so.
    NO_BEEP = "no_beep"
    #: The same incoming message again (a replayed update): nothing new happened.
    DUPLICATE = "duplicate"
    #: Empty or whitespace: nothing stored.
    EMPTY = "empty"
    #: The participant cannot report now (not registered, no consent, withdrawn).
    REFUSED = "refused"


@attrs.frozen
class ReportOutcome(Outcome):
    """The result of :meth:`Study.handle_text`.

    Attributes:
        kind: What the text was.
        report: The stored report (the first one for a duplicate), if any.
        beep: The beep it answers, if any.
        assessment: The validator's judgement, if it was validated.
        retry_offered: True when a second version is invited.
        latency_s: Seconds from the beep's delivery to the report.
    """

    kind: ReportKind = ReportKind.REFUSED
    report: Report | None = None
    beep: Beep | None = None
    assessment: Assessment | None = None
    retry_offered: bool = False
    latency_s: float | None = None


@attrs.frozen
class StatusSummary:
    """A participant's progress for ``/status`` and researchers.

    Attributes:
        state: The participant's status value.
        study_day: Counted days + 1.
        training_day: Current training day (0 when not training).
        answered: Study beeps answered on time.
        late: Study beeps answered late.
        missed: Study beeps never answered (expired) or never delivered.
        average: Average quality of best attempts (0..100).
        threshold: The study's quality threshold.
        progress: ``average / threshold`` in percent, at most 100.
        today_answered: Beeps answered on the participant's local today.
        today_planned: Beeps planned (not cancelled) for today.
        phenomena: The phenomena profile against the norms.
        compliance: Per-day compliance rows then the total row.
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


class ActionKind(enum.StrEnum):
    """What :meth:`Study.tick` asks the bot to do."""

    #: Send the beep message, then call :meth:`Study.beep_sent` (or :meth:`Study.beep_failed`).
    SEND_BEEP = "send_beep"
    #: Send the one gentle reminder (already recorded; nothing to confirm).
    SEND_REMINDER = "send_reminder"
    #: The beep expired: edit its message (``beep.message_id``) or send the message.
    EXPIRE_BEEP = "expire_beep"
    #: Send a notice (a day closed, training or the study completed, a pause ended).
    NOTIFY = "notify"


@attrs.frozen
class Action:
    """One thing to send, from :meth:`Study.tick`.

    Attributes:
        kind: What to do.
        participant_id: Whom it concerns.
        chat_id: Where to send (None if unknown).
        lang: Language to render in.
        address_form: Address form to render in.
        message: What to say.
        beep: The beep concerned, if any.
        due_at: When it became due (UTC).
    """

    kind: ActionKind
    participant_id: str
    chat_id: int | None
    lang: str
    address_form: str
    message: Message
    beep: Beep | None = None
    due_at: dt.datetime | None = None
