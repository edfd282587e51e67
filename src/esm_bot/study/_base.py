"""The shared state and small helpers of the study engine (see :class:`esm_bot.study.Study`)."""

from __future__ import annotations

import datetime as dt
import random
import uuid
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
from esm_validate import Assessment, Validator

__all__ = [
    "ACTIVE_STATUSES",
    "CLOSED",
    "SEED",
    "STUDY_KEY",
    "StudyBase",
    "ValidateFunction",
]

#: A plain validation function such as :func:`esm_validate.validate`.
ValidateFunction = Callable[..., Assessment]

#: Statuses in which beeps are planned and sent.
ACTIVE_STATUSES = frozenset({ParticipantStatus.TRAINING, ParticipantStatus.SAMPLING})
#: participant.extra keys owned by the engine.
SEED = "schedule_seed"
CLOSED = "closed_through"
#: The key of the study context inside a stored report's ``assessment``.
STUDY_KEY = "_study"


def _system_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@attrs.define
class StudyBase:
    """The engine's dependencies and per-process state; the mixins and :class:`Study` build on it.

    The constructor arguments are documented on :class:`esm_bot.study.Study`.
    """

    store: Store
    validator: Validator | ValidateFunction
    config: StudyConfig = attrs.field(factory=StudyConfig)
    clock: Callable[[], dt.datetime] = attrs.field(default=_system_clock, kw_only=True)
    rng: random.Random = attrs.field(factory=random.Random, kw_only=True)
    worker: str = attrs.field(factory=lambda: f"study-{uuid.uuid4().hex[:8]}", kw_only=True)
    maintenance_every: dt.timedelta = attrs.field(default=dt.timedelta(minutes=1), kw_only=True)
    _last_maintenance: dt.datetime | None = attrs.field(default=None, init=False)
    _quiet_until: dict[str, dt.datetime] = attrs.field(factory=dict, init=False)

    def _now(self, given: dt.datetime | None = None) -> dt.datetime:
        """*given*, or the clock's time, in UTC (a naive datetime is a programming error)."""
        now = self.clock() if given is None else given
        if now.tzinfo is None or now.utcoffset() is None:
            raise ValueError(f"the study needs timezone-aware datetimes, got {now!r}")
        return now.astimezone(dt.UTC)

    def _event(
        self, kind: str, participant_id: str | None, *, event_id: str | None = None, **data: Any
    ) -> None:
        event = Event(kind=kind, at=self._now(), participant_id=participant_id, data=data)
        if event_id is not None:
            event = attrs.evolve(event, id=event_id)
        self.store.append_event(event)

    def _participant(self, telegram_id: int) -> Participant | None:
        found = self.store.get_participant_by_telegram(telegram_id)
        return None if found is None or found.deleted_at is not None else found

    def _update(self, participant: Participant, **changes: Any) -> Participant:
        self._wake(participant.id)
        return self.store.update_participant(participant.id, **changes)

    def _wake(self, participant_id: str) -> None:
        """Forget the quiet period of a participant whose plan or state just changed."""
        self._quiet_until.pop(participant_id, None)

    @staticmethod
    def _refused(key: MessageKey, participant: Participant | None = None, **params: Any) -> Outcome:
        return Outcome((message(key, **params),), participant, ok=False)

    def _gate(self, telegram_id: int, *, need_consent: bool = True) -> Participant | Outcome:
        """The participant, or the refusal to return when they cannot do this now."""
        participant = self._participant(telegram_id)
        if participant is None:
            return self._refused(MessageKey.NOT_REGISTERED)
        if participant.status is ParticipantStatus.WITHDRAWN:
            return self._refused(MessageKey.NOT_ACTIVE, participant, state=participant.status.value)
        if need_consent and participant.status is ParticipantStatus.REGISTERED:
            return self._refused(MessageKey.CONSENT_NEEDED, participant)
        return participant

    def _local_today(self, participant: Participant, now: dt.datetime) -> dt.date:
        return now.astimezone(zone_for(participant.tz)).date()

    @staticmethod
    def _action(
        kind: ActionKind,
        participant: Participant,
        msg: Message,
        beep: Beep | None = None,
        due_at: dt.datetime | None = None,
    ) -> Action:
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

    def _next_local_midnight(self, participant: Participant, now: dt.datetime) -> dt.datetime:
        """When the participant's next local day starts (planning ahead is due again)."""
        zone = zone_for(participant.tz)
        tomorrow = now.astimezone(zone).date() + dt.timedelta(days=1)
        return dt.datetime.combine(tomorrow, dt.time(), tzinfo=zone).astimezone(dt.UTC)
