"""What the study's parts share: :class:`StudyContext` and the :func:`gated` decorator."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec

import attrs

from esm_bot.domain.models import Event, Participant, ParticipantStatus
from esm_bot.domain.schedule import zone_for
from esm_bot.settings import StudyConfig
from esm_bot.store.base import Store
from esm_bot.study.outcomes import MessageKey, Outcome, ReportKind, message
from esm_validate import Assessment

__all__ = [
    "ACTIVE_STATUSES",
    "ADDRESS_CHOSEN",
    "CLOSED",
    "IN_STUDY",
    "SEED",
    "STUDY_KEY",
    "StudyContext",
    "ValidateFunction",
    "gated",
]

P = ParamSpec("P")

#: A plain validation function such as :func:`esm_validate.validate`.
ValidateFunction = Callable[..., Assessment]
#: Statuses in which beeps are planned and sent.
ACTIVE_STATUSES = frozenset({ParticipantStatus.TRAINING, ParticipantStatus.SAMPLING})
#: Statuses of a participant still in the study: their days close, their expiries are told.
IN_STUDY = ACTIVE_STATUSES | {ParticipantStatus.PAUSED}
#: participant.extra keys owned by the engine: the schedule seed, the last day closed, and
#: whether the participant chose «ты» or «вы» (until then Russian messages use «вы»).
SEED = "schedule_seed"
CLOSED = "closed_through"
ADDRESS_CHOSEN = "address_chosen"
#: The key of the study context inside a stored report's ``assessment``.
STUDY_KEY = "_study"


@attrs.frozen
class StudyContext:
    """The store, settings, clock and lease name (``worker``) the parts share, and their helpers;
    ``changed`` is called with a participant id whenever that record is updated."""

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
        self.store.append_event(event if event_id is None else attrs.evolve(event, id=event_id))

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
        return Outcome((message(key, **params),), participant, ok=False, kind=ReportKind.REFUSED)

    def local_today(self, participant: Participant, now: dt.datetime) -> dt.date:
        """The participant's local date at ``now``."""
        return now.astimezone(zone_for(participant.tz)).date()


_Method = Callable[Concatenate[Any, Participant, P], Outcome]


def gated(
    need_consent: bool = True, quiet: bool = False
) -> Callable[[_Method[P]], Callable[Concatenate[Any, int, P], Outcome]]:
    """Make a method over a participant take the Telegram id; unknown, withdrawn and (with
    *need_consent*) unconsented participants are refused before it runs (*quiet*: wordlessly)."""

    def wrap(method: _Method[P]) -> Callable[Concatenate[Any, int, P], Outcome]:
        @functools.wraps(method)
        def call(part: Any, telegram_id: int, /, *args: P.args, **kwargs: P.kwargs) -> Outcome:
            ctx: StudyContext = part.ctx
            participant = ctx.participant(telegram_id)
            status = participant.status if participant else None
            if participant is None:
                refusal = ctx.refused(MessageKey.NOT_REGISTERED)
            elif status is ParticipantStatus.WITHDRAWN:
                refusal = ctx.refused(MessageKey.NOT_ACTIVE, participant, state=status.value)
            elif need_consent and status is ParticipantStatus.REGISTERED:
                refusal = ctx.refused(MessageKey.CONSENT_NEEDED, participant)
            else:
                return method(part, participant, *args, **kwargs)
            return attrs.evolve(refusal, messages=()) if quiet else refusal

        return call

    return wrap
