"""The seam between the Telegram layer and the study engine.

Handlers call only a :class:`StudyPort` (and render what it returns); they hold no domain logic.
:mod:`esm_bot.study_adapter` fits the study engine (:mod:`esm_bot.study`) to this Protocol. Every
user-facing text is a message key of :mod:`esm_bot.i18n` with parameters (:class:`Say`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Protocol

import attrs

from esm_bot.domain.models import Beep, Participant

__all__ = ["AWAITING_KEY", "Due", "Say", "StudyPort"]

#: Key in :attr:`Participant.extra` holding the question the next text answers.
AWAITING_KEY = "bot_awaiting"


@attrs.frozen
class Say:
    """One message to show: an :mod:`esm_bot.i18n` key and its parameters."""

    key: str
    params: Mapping[str, Any] = attrs.field(factory=dict)


@attrs.frozen
class Due:
    """Something the scheduler must send now.

    Attributes:
        kind: ``beep`` (confirm with :meth:`StudyPort.sent` / :meth:`StudyPort.unsent`),
            ``reminder``, ``expire`` (edit ``beep.message_id`` when known, else send) or
            ``notify``.
        chat_id: Where to send (None: nowhere).
        lang: Language to render in.
        form: Address form to render in.
        say: What to say.
        beep: The beep concerned, if any.
        ref: The engine's own object, handed back in :meth:`StudyPort.sent`.
    """

    kind: str
    chat_id: int | None
    lang: str
    form: str
    say: Say
    beep: Beep | None = None
    ref: Any = None


class StudyPort(Protocol):
    """**Protocol**: what the bot's handlers and scheduler need from the study engine.

    Methods that take a value a participant typed raise :class:`ValueError` with a message fit to
    show them when the value does not work.
    """

    def participant(self, telegram_id: int) -> Participant | None:
        """The participant with this Telegram user id, if registered (and not deleted)."""
        ...

    def register(self, telegram_id: int, chat_id: int, lang: str) -> Participant:
        """Register (idempotent: an existing participant is returned as is)."""
        ...

    def consent(self, participant_id: str) -> Participant:
        """Record consent to the current consent version."""
        ...

    def decline(self, participant_id: str) -> None:
        """Record that the consent was declined."""
        ...

    def consent_version(self) -> str:
        """The version of the consent text shown."""
        ...

    def training_days(self) -> int:
        """How many training days the protocol has."""
        ...

    def set_language(self, participant_id: str, lang: str) -> Participant:
        """Set ``ru``/``en``."""
        ...

    def set_address_form(self, participant_id: str, form: str) -> Participant:
        """Set ``informal``/``formal``."""
        ...

    def set_timezone(self, participant_id: str, text: str) -> Participant:
        """Set the time zone from an IANA name or a UTC offset as typed."""
        ...

    def set_window(self, participant_id: str, start: dt.time, end: dt.time) -> Participant:
        """Set the waking window (future beeps are re-planned)."""
        ...

    def set_beeps_per_day(self, participant_id: str, n: int) -> Participant:
        """Set beeps per day (future beeps are re-planned)."""
        ...

    def beeps_range(self) -> tuple[int, int, int]:
        """(lowest, highest, default) beeps per day a participant may choose."""
        ...

    def set_awaiting(self, participant_id: str, step: str | None) -> Participant:
        """Remember which question the participant's next text answers (``None``: none).

        Kept in the participant record (``extra["bot_awaiting"]``), so a restart or another
        process behind a load balancer continues the conversation.
        """
        ...

    def begin(self, participant_id: str) -> Participant:
        """Start the protocol: plan the beeps (idempotent)."""
        ...

    def practice(self, participant_id: str) -> Say:
        """Open a practice beep now (the next text is a practice report); returns its prompt."""
        ...

    def practice_sent(self, say: Say, message_id: int | None) -> None:
        """Record the Telegram message id of a practice prompt (so its expiry edits it)."""
        ...

    def report(self, participant_id: str, text: str, *, dedup_key: str) -> list[Say]:
        """Handle a text as a report; returns the messages to show (feedback, notes)."""
        ...

    def pause(self, participant_id: str) -> Say:
        """Pause beeps."""
        ...

    def resume(self, participant_id: str) -> Say:
        """Resume beeps."""
        ...

    def withdraw(self, participant_id: str) -> Say:
        """Leave the study: no more beeps."""
        ...

    def delete(self, participant_id: str) -> None:
        """Delete the participant's data."""
        ...

    def status(self, participant_id: str) -> Say:
        """A status summary."""
        ...

    def tick(self, now: dt.datetime) -> list[Due]:
        """Claim what is due now (each beep exactly once across processes)."""
        ...

    def still_ours(self, due: Due, now: dt.datetime) -> bool:
        """Renew this process's claim on ``due`` right before sending it; False: do not send."""
        ...

    def sent(self, due: Due, message_id: int | None, now: dt.datetime) -> None:
        """Record that ``due`` was delivered."""
        ...

    def unsent(self, due: Due, reason: str, now: dt.datetime, *, blocked: bool = False) -> None:
        """Record that ``due`` could not be delivered (``blocked``: Telegram said 403)."""
        ...

    def unreachable(self, chat_id: int) -> None:
        """The participant writing in ``chat_id`` blocked the bot: stop beeping them."""
        ...

    def stats(self) -> Mapping[str, Any]:
        """Study figures for the metrics log and /stats."""
        ...
