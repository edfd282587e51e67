"""What every part of the study engine works with: :class:`StudyContext` (see :class:`Study`).

The context holds the dependencies (store, settings, clock, lease name) and the small helpers the
parts share; it keeps no state of its own. Each part (:mod:`~esm_bot.study.planning`,
:mod:`~esm_bot.study.delivery`, :mod:`~esm_bot.study.days`, :mod:`~esm_bot.study.reports`) gets
it at construction and owns whatever state it has.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import attrs

from esm_bot.domain.config import StudyConfig
from esm_bot.domain.models import (
    Beep,
    Event,
    Participant,
    ParticipantStatus,
)
from esm_bot.domain.schedule import zone_for
from esm_bot.store.base import Store
from esm_bot.study.messages import Message, MessageKey, message
from esm_bot.study.outcomes import (
    Action,
    ActionKind,
    Outcome,
)
from esm_validate import Assessment

__all__ = [
    "ACTIVE_STATUSES",
    "ADDRESS_CHOSEN",
    "CLOSED",
    "SEED",
    "STUDY_KEY",
    "StudyContext",
    "ValidateFunction",
]

#: A plain validation function such as :func:`esm_validate.validate`.
ValidateFunction = Callable[..., Assessment]

#: Statuses in which beeps are planned and sent.
ACTIVE_STATUSES = frozenset({ParticipantStatus.TRAINING, ParticipantStatus.SAMPLING})
#: participant.extra keys owned by the engine.
SEED = "schedule_seed"
CLOSED = "closed_through"
#: participant.extra key set once the participant has chosen «ты» or «вы» themselves (until then
#: Russian messages use the polite «вы», which presumes nothing).
ADDRESS_CHOSEN = "address_chosen"
#: The key of the study context inside a stored report's ``assessment``.
STUDY_KEY = "_study"


@attrs.frozen
class StudyContext:
    """The dependencies the parts of the study share, and their common helpers.

    Attributes:
        store: Where participants, beeps, reports and events live.
        config: The study settings.
        clock: Returns the current time as a timezone-aware UTC datetime.
        worker: This process's name for beep leases.
        changed: Called with a participant id whenever that participant's record is updated.
    """

    store: Store
    config: StudyConfig
    clock: Callable[[], dt.datetime]
    worker: str
    changed: Callable[[str], None] = lambda _participant_id: None

    def now(self, given: dt.datetime | None = None) -> dt.datetime:
        """*given*, or the clock's time, in UTC (a naive datetime is a programming error)."""
        now = self.clock() if given is None else given
        if now.tzinfo is None or now.utcoffset() is None:
            raise ValueError(f"the study needs timezone-aware datetimes, got {now!r}")
        return now.astimezone(dt.UTC)

    def event(
        self, kind: str, participant_id: str | None, *, event_id: str | None = None, **data: Any
    ) -> None:
        """Append an event (``event_id`` makes it idempotent: the same id is stored once)."""
        event = Event(kind=kind, at=self.now(), participant_id=participant_id, data=data)
        if event_id is not None:
            event = attrs.evolve(event, id=event_id)
        self.store.append_event(event)

    def participant(self, telegram_id: int) -> Participant | None:
        """The participant with this Telegram id (None when unknown or deleted)."""
        found = self.store.get_participant_by_telegram(telegram_id)
        return None if found is None or found.deleted_at is not None else found

    def update(self, participant: Participant, **changes: Any) -> Participant:
        """Write ``changes`` to the participant's record (and tell :attr:`changed`)."""
        self.changed(participant.id)
        return self.store.update_participant(participant.id, **changes)

    @staticmethod
    def refused(key: MessageKey, participant: Participant | None = None, **params: Any) -> Outcome:
        """A refused call's outcome: one message, ``ok`` False."""
        return Outcome((message(key, **params),), participant, ok=False)

    def gate(self, telegram_id: int, *, need_consent: bool = True) -> Participant | Outcome:
        """The participant, or the refusal to return when they cannot do this now."""
        participant = self.participant(telegram_id)
        if participant is None:
            return self.refused(MessageKey.NOT_REGISTERED)
        if participant.status is ParticipantStatus.WITHDRAWN:
            return self.refused(MessageKey.NOT_ACTIVE, participant, state=participant.status.value)
        if need_consent and participant.status is ParticipantStatus.REGISTERED:
            return self.refused(MessageKey.CONSENT_NEEDED, participant)
        return participant

    def local_today(self, participant: Participant, now: dt.datetime) -> dt.date:
        """The participant's local date at ``now``."""
        return now.astimezone(zone_for(participant.tz)).date()

    @staticmethod
    def action(
        kind: ActionKind,
        participant: Participant,
        msg: Message,
        beep: Beep | None = None,
        due_at: dt.datetime | None = None,
    ) -> Action:
        """What :meth:`Study.tick` returns for one message to ``participant``."""
        return Action(
            kind=kind,
            participant_id=participant.id,
            chat_id=participant.chat_id,
            lang=participant.lang,
            address_form=str(participant.address_form),
            message=msg,
            beep=beep,
            due_at=due_at,
        )

    def next_local_midnight(self, participant: Participant, now: dt.datetime) -> dt.datetime:
        """When the participant's next local day starts (planning ahead is due again)."""
        zone = zone_for(participant.tz)
        tomorrow = now.astimezone(zone).date() + dt.timedelta(days=1)
        return dt.datetime.combine(tomorrow, dt.time(), tzinfo=zone).astimezone(dt.UTC)
