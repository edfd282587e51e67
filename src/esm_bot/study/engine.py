"""The study engine: :class:`Study`, the one facade the bot's handlers call.

No Telegram here. Every participant-facing method takes the Telegram user id (what a handler has),
changes the store, and returns an :class:`~esm_bot.study.outcomes.Outcome` with message keys.
:meth:`Study.tick` returns the :class:`~esm_bot.study.outcomes.Action` values due now.

Safety across restarts and processes:

- Whole days are planned ahead and stored. A day's plan is a deterministic function of the
  participant's stored schedule seed and settings, and beep ids are deterministic, so two processes
  planning the same day store the same beeps once.
- Each beep is sent once: :meth:`Study.tick` takes the store's atomic lease on a due beep before
  returning it; :meth:`Study.beep_sent` records the delivery. Expiry and reminders use the same
  lease or a conditional update, so each happens once.
- A settings change (time zone, window, beeps a day), a pause and a resume cancel only beeps still
  in the future and plan the rest of the day again; what was sent stays as it was, and a new beep
  keeps the minimum gap to the last one sent.
- Closing a day (training progression) happens under the lease of the day's last beep and is
  recorded in the participant record in one write, so it happens once.
"""

from __future__ import annotations

import datetime as dt
import random
import time as time_module
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs

from esm_bot.config import StudyConfig
from esm_bot.models import (
    AddressForm,
    Beep,
    BeepStatus,
    Event,
    Participant,
    ParticipantStatus,
    QualityRecord,
    Report,
    beep_id,
    new_id,
)
from esm_bot.schedule import ScheduleError, parse_timezone, plan_day, window_bounds, zone_for
from esm_bot.store.base import Store
from esm_bot.study import analytics
from esm_bot.study.messages import Message, MessageKey, message
from esm_bot.study.outcomes import (
    Action,
    ActionKind,
    Outcome,
    ReportKind,
    ReportOutcome,
    StatusSummary,
)
from esm_bot.study.progress import DayOutcome, DayResult, Progress, close_day
from esm_validate import Assessment, Validator
from esm_validate import validate as local_validate

__all__ = ["ACTIVE_STATUSES", "Study", "ValidateFunction", "parse_window"]

#: A plain validation function such as :func:`esm_validate.validate`.
ValidateFunction = Callable[..., Assessment]

#: Statuses in which beeps are planned and sent.
ACTIVE_STATUSES = frozenset({ParticipantStatus.TRAINING, ParticipantStatus.SAMPLING})
_STARTED = ACTIVE_STATUSES | {ParticipantStatus.PAUSED, ParticipantStatus.COMPLETED}
#: How soon after a settings change a re-planned beep may come.
_REPLAN_LEAD = dt.timedelta(minutes=1)
#: participant.extra keys owned by the engine.
_SEED = "schedule_seed"
_CLOSED = "closed_through"
_SAMPLING_DONE = "sampling_days_done"
_STUDY_KEY = "_study"


def parse_window(text: str) -> tuple[dt.time, dt.time]:
    """Parse a waking window typed as ``HH:MM-HH:MM`` (also ``9-21``, ``09.00 – 21.30``).

    Raises:
        ScheduleError: (a ValueError) with a message a participant can be shown.
    """
    cleaned = text.replace("–", "-").replace("—", "-").replace(" ", "")
    parts = cleaned.split("-")
    try:
        if len(parts) != 2:
            raise ValueError
        start, end = (_parse_clock(part) for part in parts)
    except ValueError:
        raise ScheduleError(
            "schedule.bad_window",
            f"Could not read {text.strip()!r} as a waking window; type it like 09:00-21:00.",
            text=text.strip(),
        ) from None
    return start, end


def _parse_clock(text: str) -> dt.time:
    hours, _, minutes = text.replace(".", ":").partition(":")
    return dt.time(int(hours), int(minutes or 0))


def _system_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@attrs.define
class Study:
    """The DES study protocol over a :class:`~esm_bot.store.Store`.

    Args:
        store: Where participants, beeps, reports and events live.
        validator: A :class:`esm_validate.Validator` (``.validate(text, *, user_id, training_day,
            lang)``) or a function like :func:`esm_validate.validate`.
        config: The study settings.
        clock: Returns the current time as a timezone-aware UTC datetime.
        rng: Randomness for new participants' schedule seeds (seed it in tests).
        worker: This process's name for beep leases (random by default).
        maintenance_every: How often :meth:`tick` plans ahead, closes days and ends pauses.
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

    # ================================================================ helpers

    def _now(self) -> dt.datetime:
        now = self.clock()
        if now.tzinfo is None:
            raise ValueError("the study clock must return timezone-aware datetimes")
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

    # ================================================================ onboarding

    def register(self, telegram_id: int, chat_id: int, lang: str | None = None) -> Outcome:
        """``/start``: create the participant (or find them) and ask for consent.

        A returning participant keeps their record (chat id refreshed); one who had withdrawn
        rejoins as registered and is asked for consent again.
        """
        now = self._now()
        participant = self._participant(telegram_id)
        if participant is None:
            participant = Participant(
                id=new_id(),
                created_at=now,
                telegram_id=telegram_id,
                chat_id=chat_id,
                lang=lang if lang in ("ru", "en") else "ru",
                tz=self.config.timezone,
                window_start=self.config.window_start,
                window_end=self.config.window_end,
                beeps_per_day=self.config.beeps_per_day,
                extra={_SEED: f"{self.rng.getrandbits(64):016x}"},
            )
            participant = self.store.add_participant(participant)
            self._event("registered", participant.id, lang=participant.lang)
        else:
            changes: dict[str, Any] = {"chat_id": chat_id, "active": True}
            if participant.status is ParticipantStatus.WITHDRAWN:
                changes["status"] = ParticipantStatus.REGISTERED
                self._event("rejoined", participant.id)
            participant = self._update(participant, **changes)
        messages = [message(MessageKey.WELCOME, training_days=self.config.training_days)]
        if participant.status is ParticipantStatus.REGISTERED:
            messages.append(message(MessageKey.CONSENT, version=self.config.consent_version))
        return Outcome(tuple(messages), participant)

    def consent(self, telegram_id: int, version: str | None = None) -> Outcome:
        """Record that the participant accepted the consent text (*version*, default current).

        Accepting an outdated version asks again with the current one.
        """
        gate = self._gate(telegram_id, need_consent=False)
        if isinstance(gate, Outcome):
            return gate
        current = self.config.consent_version
        if version is not None and version != current:
            return self._refused(MessageKey.CONSENT, gate, version=current)
        now = self._now()
        changes: dict[str, Any] = {"consent_version": current, "consented_at": now}
        if gate.status is ParticipantStatus.REGISTERED:
            changes["status"] = ParticipantStatus.CONSENTED
        participant = self._update(gate, **changes)
        self._event("consented", participant.id, version=current)
        return Outcome((message(MessageKey.CONSENT_RECORDED, version=current),), participant)

    def decline_consent(self, telegram_id: int) -> Outcome:
        """Record that the participant declined; nothing else is stored about them."""
        participant = self._participant(telegram_id)
        if participant is not None:
            self._event("consent_declined", participant.id, version=self.config.consent_version)
        return Outcome((), participant)

    # ================================================================ settings

    def set_language(self, telegram_id: int, lang: str) -> Outcome:
        """Set the language (``"ru"`` or ``"en"``)."""
        gate = self._gate(telegram_id, need_consent=False)
        if isinstance(gate, Outcome):
            return gate
        if lang not in ("ru", "en"):
            return self._refused(
                MessageKey.SETTING_INVALID, gate, reason=f"Unknown language {lang!r}.", code="lang"
            )
        participant = self._update(gate, lang=lang)
        self._event("language_changed", gate.id, old=gate.lang, new=lang)
        return self._saved(participant, "lang", lang, 0)

    def set_address_form(self, telegram_id: int, form: str | AddressForm) -> Outcome:
        """Set the address form (``"informal"`` or ``"formal"``)."""
        gate = self._gate(telegram_id, need_consent=False)
        if isinstance(gate, Outcome):
            return gate
        try:
            chosen = AddressForm(form)
        except ValueError:
            return self._refused(
                MessageKey.SETTING_INVALID, gate, reason=f"Unknown form {form!r}.", code="form"
            )
        participant = self._update(gate, address_form=chosen)
        self._event("address_form_changed", gate.id, new=chosen.value)
        return self._saved(participant, "address_form", chosen.value, 0)

    def set_timezone(self, telegram_id: int, text: str) -> Outcome:
        """Set the time zone from what the participant typed (IANA name or UTC offset)."""
        gate = self._gate(telegram_id, need_consent=False)
        if isinstance(gate, Outcome):
            return gate
        try:
            tz = parse_timezone(text)
        except ScheduleError as exc:
            return self._refused(
                MessageKey.TIMEZONE_INVALID, gate, text=text, reason=str(exc), code=exc.code
            )
        return self._change_schedule(gate, "tz", tz=tz)

    def set_window(
        self, telegram_id: int, start: dt.time | str, end: dt.time | None = None
    ) -> Outcome:
        """Set the waking window (two times, or one ``"09:00-21:00"`` text)."""
        gate = self._gate(telegram_id, need_consent=False)
        if isinstance(gate, Outcome):
            return gate
        try:
            if isinstance(start, str):
                start, end = parse_window(start)
            if end is None:
                raise ScheduleError("schedule.bad_window", "The window needs an end time.")
        except ScheduleError as exc:
            return self._invalid(gate, exc)
        return self._change_schedule(gate, "window", window_start=start, window_end=end)

    def set_beeps_per_day(self, telegram_id: int, n: int) -> Outcome:
        """Set the number of beeps a day (within the study's limits)."""
        gate = self._gate(telegram_id, need_consent=False)
        if isinstance(gate, Outcome):
            return gate
        return self._change_schedule(gate, "beeps_per_day", beeps_per_day=n)

    def _invalid(self, participant: Participant, exc: ScheduleError) -> Outcome:
        return self._refused(
            MessageKey.SETTING_INVALID, participant, reason=str(exc), code=exc.code, **exc.params
        )

    def _saved(self, participant: Participant, setting: str, value: Any, replanned: int) -> Outcome:
        return Outcome(
            (
                message(
                    MessageKey.SETTINGS_SAVED, setting=setting, value=value, replanned=replanned
                ),
            ),
            participant,
        )

    def _change_schedule(self, participant: Participant, setting: str, **changes: Any) -> Outcome:
        proposed = attrs.evolve(participant, **changes)
        try:
            self.config.check_participant_schedule(
                proposed.beeps_per_day, proposed.window_start, proposed.window_end, proposed.tz
            )
        except ScheduleError as exc:
            return self._invalid(participant, exc)
        old = {k: _jsonable(getattr(participant, k)) for k in changes}
        updated = self._update(participant, **changes)
        kind = "tz_changed" if setting == "tz" else "schedule_changed"
        self._event(kind, updated.id, old=old, new={k: _jsonable(v) for k, v in changes.items()})
        replanned = 0
        if updated.status in ACTIVE_STATUSES:
            replanned = self._replan(updated, self._now())
        value = (
            _jsonable(changes[next(iter(changes))])
            if len(changes) == 1
            else {k: _jsonable(v) for k, v in changes.items()}
        )
        return self._saved(updated, setting, value, replanned)

    # ================================================================ start / planning

    def start(self, telegram_id: int) -> Outcome:
        """Begin training (or sampling when there is none): plan whole days ahead and store them.

        Idempotent: calling it again (a restart, a second process, a double tap) plans nothing new.
        """
        gate = self._gate(telegram_id)
        if isinstance(gate, Outcome):
            return gate
        now = self._now()
        participant = gate
        if participant.status is ParticipantStatus.CONSENTED:
            today = self._local_today(participant, now)
            first = today if self.config.start_same_day else today + dt.timedelta(days=1)
            training = self.config.training_days > 0
            participant = self._update(
                participant,
                status=ParticipantStatus.TRAINING if training else ParticipantStatus.SAMPLING,
                training_start_date=first,
                current_training_day=1 if training else 0,
                study_day=1,
                day_repeats=0,
                sampling_start_date=None if training else first,
            )
            self._event("study_started", participant.id, first_day=first.isoformat())
        if participant.status in ACTIVE_STATUSES:
            self._plan_ahead(participant, now)
        first_day = participant.training_start_date or participant.sampling_start_date
        return Outcome(
            (
                message(
                    MessageKey.STUDY_STARTED,
                    first_day=first_day.isoformat() if first_day else None,
                    training_days=self.config.training_days,
                    beeps_per_day=participant.beeps_per_day,
                ),
            ),
            participant,
        )

    def _study_dates(self, participant: Participant, now: dt.datetime) -> list[dt.date]:
        first = participant.training_start_date or participant.sampling_start_date
        if first is None:
            return []
        today = self._local_today(participant, now)
        begin = max(first, today)
        closed = participant.extra.get(_CLOSED)
        if closed is not None:
            begin = max(begin, dt.date.fromisoformat(closed) + dt.timedelta(days=1))
        return [begin + dt.timedelta(days=k) for k in range(self.config.plan_ahead_days)]

    def _day_plan(self, participant: Participant, day: dt.date) -> list[dt.datetime]:
        """The day's beep times: deterministic for the participant's seed and settings."""
        seed = "|".join(
            str(part)
            for part in (
                participant.extra.get(_SEED, participant.id),
                participant.id,
                day.isoformat(),
                participant.tz,
                participant.window_start.isoformat(),
                participant.window_end.isoformat(),
                participant.beeps_per_day,
                self.config.min_gap.total_seconds(),
            )
        )
        args = (day, participant.tz, participant.window_start, participant.window_end)
        n = participant.beeps_per_day
        try:
            return plan_day(*args, n, min_gap=self.config.min_gap, rng=random.Random(seed))
        except ScheduleError as exc:
            if exc.code != "schedule.too_many_beeps":
                self._event("day_not_planned", participant.id, day=day.isoformat(), code=exc.code)
                return []
        # A DST day shortened the window: keep n beeps, as far apart as the day allows.
        gap = window_bounds(*args).length / n
        gap = dt.timedelta(seconds=int(gap.total_seconds()))
        return plan_day(*args, n, min_gap=gap, rng=random.Random(seed))

    def _beeps_for_days(
        self,
        participant: Participant,
        days: Iterable[dt.date],
        *,
        not_before: dt.datetime | None = None,
    ) -> list[Beep]:
        training = participant.status is ParticipantStatus.TRAINING
        first = participant.training_start_date or participant.sampling_start_date or dt.date.min
        beeps = []
        for day in days:
            for index, at in enumerate(self._day_plan(participant, day)):
                if not_before is not None and at < not_before:
                    continue
                beeps.append(
                    Beep(
                        id=beep_id(participant.id, day, index),
                        participant_id=participant.id,
                        local_date=day,
                        index=index,
                        scheduled_at=at,
                        study_day=(day - first).days + 1,
                        training=training,
                        tz=participant.tz,
                    )
                )
        return beeps

    def _plan_ahead(self, participant: Participant, now: dt.datetime) -> int:
        """Store the plan of the coming days that have none yet; return beeps written."""
        days = self._study_dates(participant, now)
        if not days:
            return 0
        start = dt.datetime.combine(days[0] - dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
        planned_days = {
            b.local_date
            for b in self.store.beeps_for(participant.id, since=start)
            if not analytics.is_practice(b)
        }
        missing = [d for d in days if d not in planned_days]
        if not missing:
            return 0
        written = self.store.upsert_beeps(
            self._beeps_for_days(participant, missing, not_before=now)
        )
        for day in missing:
            self._event(
                "schedule_planned",
                participant.id,
                event_id=f"planned:{participant.id}:{day.isoformat()}:{participant.tz}",
                day=day.isoformat(),
                tz=participant.tz,
            )
        return written

    def _replan(self, participant: Participant, now: dt.datetime) -> int:
        """Cancel future unsent beeps and plan the coming days again from now; return beeps."""
        self.store.cancel_future_beeps(participant.id, after=now)
        recent = self.store.beeps_for(participant.id, since=now - dt.timedelta(days=2))
        sent = [b.sent_at for b in recent if b.sent_at is not None and not analytics.is_practice(b)]
        not_before = now + _REPLAN_LEAD
        if sent:
            not_before = max(not_before, max(sent) + self.config.min_gap)
        beeps = self._beeps_for_days(
            participant, self._study_dates(participant, now), not_before=not_before
        )
        written = self.store.upsert_beeps(beeps, replace_unsent=True)
        self._event("schedule_replanned", participant.id, beeps=written, tz=participant.tz)
        return written

    # ================================================================ tick: send, remind, expire

    def tick(self, now: dt.datetime | None = None) -> list[Action]:
        """Return what is due now: beeps to send, reminders, expiries, notices.

        Safe to call from several processes: each beep is handed to exactly one caller (store
        lease), each reminder and expiry happens once. Call it every few seconds.
        """
        now = (now or self._now()).astimezone(dt.UTC)
        actions: list[Action] = []
        if self._last_maintenance is None or now - self._last_maintenance >= self.maintenance_every:
            self._last_maintenance = now
            actions.extend(self._maintenance(now))
        cache: dict[str, Participant | None] = {}

        def who(pid: str) -> Participant | None:
            if pid not in cache:
                cache[pid] = self.store.get_participant(pid)
            return cache[pid]

        actions.extend(self._send_due(now, who))
        actions.extend(self._remind_and_expire(now, who))
        return actions

    def _send_due(self, now: dt.datetime, who: Callable[[str], Participant | None]) -> list[Action]:
        actions = []
        for candidate in self.store.due_beeps(now):
            beep = self.store.claim_beep(candidate.id, self.worker, now, self.config.claim_lease)
            if beep is None or beep.status is not BeepStatus.SCHEDULED:
                continue
            participant = who(beep.participant_id)
            if (
                participant is None
                or participant.status not in ACTIVE_STATUSES
                or not participant.active
            ):
                self.store.update_beep(
                    beep.id, status=BeepStatus.CANCELLED, claimed_by=None, claim_until=None
                )
                continue
            if now - beep.scheduled_at > self.config.late_send_grace:
                self.store.update_beep(
                    beep.id, status=BeepStatus.MISSED, claimed_by=None, claim_until=None
                )
                self._event(
                    "beep_missed", participant.id, beep_id=beep.id, reason="not_sent_system"
                )
                continue
            training_day = (
                participant.current_training_day
                if participant.status is ParticipantStatus.TRAINING
                else 0
            )
            actions.append(
                self._action(
                    ActionKind.SEND_BEEP,
                    participant,
                    message(
                        MessageKey.BEEP,
                        study_day=participant.study_day,
                        training_day=training_day,
                        focus=self.config.focus(training_day) if training_day else None,
                    ),
                    beep,
                    beep.scheduled_at,
                )
            )
        return actions

    def _remind_and_expire(
        self, now: dt.datetime, who: Callable[[str], Participant | None]
    ) -> list[Action]:
        actions = []
        for beep in self.store.beeps_in_status(BeepStatus.SENT, scheduled_before=now):
            participant = who(beep.participant_id)
            if beep.expires_at is not None and now >= beep.expires_at:
                expired = self.store.update_beep(
                    beep.id,
                    if_status=[BeepStatus.SENT],
                    status=BeepStatus.EXPIRED,
                    claimed_by=None,
                    claim_until=None,
                )
                if expired is not None and participant is not None:
                    self._event("beep_expired", participant.id, event_id=f"expired:{beep.id}")
                    actions.append(
                        self._action(
                            ActionKind.EXPIRE_BEEP,
                            participant,
                            message(MessageKey.BEEP_EXPIRED),
                            expired,
                            beep.expires_at,
                        )
                    )
                continue
            reminder = self.config.reminder_after
            if (
                reminder is None
                or beep.reminder_sent_at is not None
                or beep.sent_at is None
                or now < beep.sent_at + reminder
                or participant is None
                or participant.status not in ACTIVE_STATUSES
                or analytics.is_practice(beep)
            ):
                continue
            claimed = self.store.claim_beep(
                beep.id, self.worker, now, self.config.claim_lease, status=BeepStatus.SENT
            )
            if claimed is None or claimed.reminder_sent_at is not None:
                continue
            reminded = self.store.update_beep(
                beep.id,
                if_status=[BeepStatus.SENT],
                reminder_sent_at=now,
                claimed_by=None,
                claim_until=None,
            )
            if reminded is None:
                continue
            self._event("reminder_sent", participant.id, event_id=f"reminder:{beep.id}")
            left = (beep.expires_at - now) if beep.expires_at else self.config.expiry
            actions.append(
                self._action(
                    ActionKind.SEND_REMINDER,
                    participant,
                    message(
                        MessageKey.REMINDER, minutes_left=max(1, round(left.total_seconds() / 60))
                    ),
                    reminded,
                    beep.sent_at + reminder,
                )
            )
        return actions

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

    def beep_sent(
        self, beep_id: str, message_id: int | None = None, *, at: dt.datetime | None = None
    ) -> Beep | None:
        """Record that the beep was delivered (Telegram accepted it); starts its answer window."""
        sent_at = (at or self._now()).astimezone(dt.UTC)
        current = self.store.get_beep(beep_id)
        if current is None:
            return None
        if current.status is BeepStatus.SENT and current.sent_at is not None:
            return self.store.update_beep(beep_id, message_id=message_id)
        beep = self.store.update_beep(
            beep_id,
            if_status=[BeepStatus.SCHEDULED],
            status=BeepStatus.SENT,
            sent_at=sent_at,
            expires_at=sent_at + self.config.expiry,
            message_id=message_id,
            claimed_by=None,
            claim_until=None,
        )
        if beep is not None:
            self._event(
                "beep_sent",
                beep.participant_id,
                event_id=f"sent:{beep_id}",
                beep_id=beep_id,
                late_send=(sent_at - beep.scheduled_at) > dt.timedelta(minutes=1),
            )
        return beep

    def beep_failed(self, beep_id: str, *, blocked: bool = False, reason: str = "") -> Beep | None:
        """Record that sending failed: *blocked* (Telegram 403) makes the participant unreachable.

        Otherwise the lease is released and the next tick tries again (until the grace runs out).
        """
        beep = self.store.get_beep(beep_id)
        if beep is None:
            return None
        if not blocked:
            return self.store.update_beep(beep_id, claimed_by=None, claim_until=None)
        updated = self.store.update_beep(
            beep_id,
            if_status=[BeepStatus.SCHEDULED],
            status=BeepStatus.MISSED,
            claimed_by=None,
            claim_until=None,
        )
        participant = self.store.get_participant(beep.participant_id)
        if participant is not None:
            self._mark_unreachable(participant, reason or "blocked")
        return updated

    def mark_unreachable(self, chat_id: int) -> Participant | None:
        """The participant in *chat_id* blocked the bot (403): stop beeping them."""
        for participant in self.store.list_participants():
            if participant.chat_id == chat_id and participant.deleted_at is None:
                return self._mark_unreachable(participant, "blocked")
        return None

    def _mark_unreachable(self, participant: Participant, reason: str) -> Participant:
        now = self._now()
        self.store.cancel_future_beeps(participant.id, after=now - dt.timedelta(days=1))
        updated = self._update(participant, active=False)
        self._event("unreachable", participant.id, reason=reason)
        return updated

    # ================================================================ maintenance

    def _maintenance(self, now: dt.datetime) -> list[Action]:
        actions: list[Action] = []
        for participant in self.store.list_participants(
            [ParticipantStatus.TRAINING, ParticipantStatus.SAMPLING, ParticipantStatus.PAUSED]
        ):
            if participant.deleted_at is not None or not participant.active:
                continue
            pause_over = participant.paused_until is not None and now >= participant.paused_until
            if participant.status is ParticipantStatus.PAUSED and pause_over:
                participant = self._resume(participant, now)
                actions.append(
                    self._action(ActionKind.NOTIFY, participant, message(MessageKey.RESUMED))
                )
            elif now < self._quiet_until.get(participant.id, now):
                continue
            notices, next_close = self._close_days(participant, now)
            actions.extend(notices)
            fresh = self.store.get_participant(participant.id)
            if fresh is not None and fresh.status in ACTIVE_STATUSES:
                self._plan_ahead(fresh, now)
            self._quiet_until[participant.id] = min(
                next_close or dt.datetime.max.replace(tzinfo=dt.UTC),
                self._next_local_midnight(participant, now),
            )
        return actions

    def _next_local_midnight(self, participant: Participant, now: dt.datetime) -> dt.datetime:
        """When the participant's next local day starts (planning ahead is due again)."""
        zone = zone_for(participant.tz)
        tomorrow = now.astimezone(zone).date() + dt.timedelta(days=1)
        return dt.datetime.combine(tomorrow, dt.time(), tzinfo=zone).astimezone(dt.UTC)

    def _wake(self, participant_id: str) -> None:
        """Forget the quiet period of a participant whose plan or state just changed."""
        self._quiet_until.pop(participant_id, None)

    def _day_close_time(self, beeps: list[Beep]) -> dt.datetime:
        last = max(b.sent_at or b.scheduled_at for b in beeps)
        return (
            last
            + self.config.late_send_grace
            + self.config.expiry
            + self.config.late_answer_window
            + self.config.retry_window
        )

    def _close_days(
        self, participant: Participant, now: dt.datetime
    ) -> tuple[list[Action], dt.datetime | None]:
        """Close every finished day in order; return the notices and when the next day closes."""
        closed = participant.extra.get(_CLOSED)
        since = None
        if closed is not None:
            since = dt.datetime.combine(dt.date.fromisoformat(closed), dt.time(), tzinfo=dt.UTC)
        by_day: dict[dt.date, list[Beep]] = {}
        for beep in self.store.beeps_for(participant.id, since=since):
            if analytics.is_practice(beep):
                continue
            if closed is not None and beep.local_date <= dt.date.fromisoformat(closed):
                continue
            by_day.setdefault(beep.local_date, []).append(beep)
        actions: list[Action] = []
        for day in sorted(by_day):
            beeps = by_day[day]
            close_at = self._day_close_time(beeps)
            if now < close_at:
                return actions, close_at
            outcome = None
            if not any(b.status is BeepStatus.SCHEDULED for b in beeps):
                outcome = self._close_one_day(participant, day, beeps, now)
            if outcome is None:  # not sent yet, or another process is closing it: look again soon
                return actions, now + self.maintenance_every
            participant, notices = outcome
            actions.extend(notices)
            if participant.status not in _STARTED - {ParticipantStatus.COMPLETED}:
                break
        return actions, None

    def _close_one_day(
        self, participant: Participant, day: dt.date, beeps: list[Beep], now: dt.datetime
    ) -> tuple[Participant, list[Action]] | None:
        last = max(beeps, key=lambda b: (b.scheduled_at, b.index))
        lock = self.store.claim_beep(
            last.id, self.worker, now, self.config.claim_lease, status=last.status
        )
        if lock is None:
            return None  # another process is closing this day
        fresh = self.store.get_participant(participant.id)
        if fresh is None:
            return None
        closed = fresh.extra.get(_CLOSED)
        if closed is not None and dt.date.fromisoformat(closed) >= day:
            return fresh, []
        reports = self.store.reports_for(fresh.id)
        day_ids = {b.id for b in beeps}
        best = [r for r in analytics.best_attempts(reports) if r.beep_id in day_ids]
        delivered = sum(1 for b in beeps if b.sent_at is not None)
        status = fresh.status
        if status is ParticipantStatus.PAUSED:
            status = fresh.status_before_pause or ParticipantStatus.TRAINING
        progress = Progress(
            status=status,
            training_day=fresh.current_training_day,
            day_repeats=fresh.day_repeats,
            study_day=fresh.study_day,
            training_completed=fresh.training_completed,
            sampling_days_done=int(fresh.extra.get(_SAMPLING_DONE, 0)),
        )
        result, after = close_day(self.config, progress, [r.score or 0 for r in best], delivered)
        extra = {**fresh.extra, _CLOSED: day.isoformat(), _SAMPLING_DONE: after.sampling_days_done}
        changes: dict[str, Any] = {
            "extra": extra,
            "current_training_day": after.training_day,
            "day_repeats": after.day_repeats,
            "study_day": after.study_day,
            "training_completed": after.training_completed,
        }
        if result.outcome is not DayOutcome.SKIPPED:
            changes["quality_history"] = (
                *fresh.quality_history,
                QualityRecord(
                    date=day,
                    score=result.average or 0.0,
                    responses_count=result.answered,
                    day_number=progress.study_day,
                ),
            )
        if after.status is not status:
            if fresh.status is ParticipantStatus.PAUSED:
                changes["status_before_pause"] = after.status
            else:
                changes["status"] = after.status
            if after.status is ParticipantStatus.SAMPLING:
                changes["sampling_start_date"] = day + dt.timedelta(days=1)
        updated = self._update(fresh, **changes)
        self.store.update_beep(last.id, claimed_by=None, claim_until=None)
        self._event(
            "day_closed",
            updated.id,
            event_id=f"day_closed:{updated.id}:{day.isoformat()}",
            day=day.isoformat(),
            outcome=result.outcome.value,
            training_day=result.training_day,
            average=result.average,
            answered=result.answered,
            delivered=result.delivered,
            pass_mark=result.pass_mark,
        )
        if after.status is not status:
            self._after_phase_change(updated, after.status, now)
        else:
            self._relabel_future(updated, now)
        return updated, self._day_notices(updated, result, after)

    def _after_phase_change(
        self, participant: Participant, status: ParticipantStatus, now: dt.datetime
    ) -> None:
        if status is ParticipantStatus.COMPLETED:
            self.store.cancel_future_beeps(participant.id, after=now)
            self._event("study_completed", participant.id)
            return
        self._event("training_completed", participant.id)
        self._relabel_future(participant, now)

    def _relabel_future(self, participant: Participant, now: dt.datetime) -> None:
        training = participant.status is ParticipantStatus.TRAINING or (
            participant.status_before_pause is ParticipantStatus.TRAINING
            and participant.status is ParticipantStatus.PAUSED
        )
        for beep in self.store.beeps_for(participant.id, since=now):
            if beep.status is BeepStatus.SCHEDULED and beep.training != training:
                self.store.update_beep(beep.id, if_status=[BeepStatus.SCHEDULED], training=training)

    def _day_notices(
        self, participant: Participant, result: DayResult, after: Progress
    ) -> list[Action]:
        def notice(key: MessageKey, **params: Any) -> Action:
            return self._action(ActionKind.NOTIFY, participant, message(key, **params))

        common = {
            "day": result.training_day,
            "average": result.average,
            "pass_mark": result.pass_mark,
            "answered": result.answered,
        }
        notices = []
        if result.outcome is DayOutcome.REPEAT:
            notices.append(
                notice(
                    MessageKey.DAY_REPEAT, focus=self.config.focus(result.training_day), **common
                )
            )
        elif result.outcome in (DayOutcome.PASSED, DayOutcome.ADVANCED):
            key = (
                MessageKey.DAY_PASSED
                if result.outcome is DayOutcome.PASSED
                else MessageKey.DAY_ADVANCED
            )
            if after.training_completed and result.training_day >= self.config.training_days:
                notices.append(
                    notice(
                        MessageKey.TRAINING_COMPLETE,
                        average=participant.average_data_quality,
                        threshold=self.config.quality_threshold,
                        sampling_days=self.config.sampling_days,
                    )
                )
            else:
                notices.append(
                    notice(
                        key,
                        next_day=after.training_day,
                        focus=self.config.focus(after.training_day),
                        **common,
                    )
                )
        if after.status is ParticipantStatus.COMPLETED:
            answered = sum(r.responses_count for r in participant.quality_history)
            notices.append(
                notice(
                    MessageKey.STUDY_COMPLETE,
                    answered=answered,
                    days=len(participant.quality_history),
                )
            )
        return notices

    # ================================================================ reports

    def practice(self, telegram_id: int) -> Outcome:
        """A practice beep now: it does not count, but the participant gets feedback.

        The beep is stored as sent (``index >= 1000``, ``study_day == 0``); the bot sends the
        message and may pass its id to :meth:`beep_sent`.
        """
        gate = self._gate(telegram_id)
        if isinstance(gate, Outcome):
            return gate
        now = self._now()
        today = self._local_today(gate, now)
        existing = [
            b
            for b in self.store.beeps_for(gate.id, since=now - dt.timedelta(days=2))
            if analytics.is_practice(b) and b.local_date == today
        ]
        index = analytics.PRACTICE_INDEX_BASE + len(existing)
        beep = Beep(
            id=beep_id(gate.id, today, index),
            participant_id=gate.id,
            local_date=today,
            index=index,
            scheduled_at=now,
            status=BeepStatus.SENT,
            study_day=0,
            training=False,
            tz=gate.tz,
            sent_at=now,
            expires_at=now + self.config.expiry,
        )
        self.store.upsert_beeps([beep])
        self._event("practice_beep", gate.id, beep_id=beep.id)
        return Outcome((message(MessageKey.BEEP_PRACTICE, beep_id=beep.id),), gate)

    def handle_text(
        self,
        telegram_id: int,
        text: str,
        *,
        dedup_key: str,
        received_at: dt.datetime | None = None,
    ) -> ReportOutcome:
        """Treat a text as a report: attach it to the beep it answers, validate, give feedback.

        Idempotent by *dedup_key* (e.g. ``f"tg:{chat_id}:{message_id}"``): the same message again
        returns the first result's feedback and changes nothing.
        """
        participant = self._participant(telegram_id)
        if participant is None:
            return ReportOutcome((message(MessageKey.NOT_REGISTERED),), None, ok=False)
        if participant.status is ParticipantStatus.WITHDRAWN:
            return ReportOutcome(
                (message(MessageKey.NOT_ACTIVE, state=participant.status.value),),
                participant,
                ok=False,
            )
        if participant.status is ParticipantStatus.REGISTERED:
            return ReportOutcome((message(MessageKey.CONSENT_NEEDED),), participant, ok=False)
        if not text.strip():
            return ReportOutcome(
                (message(MessageKey.EMPTY_TEXT),), participant, ok=False, kind=ReportKind.EMPTY
            )
        now = (received_at or self._now()).astimezone(dt.UTC)
        reports = self.store.reports_for(participant.id)
        for report in reports:
            if report.dedup_key == dedup_key:
                return self._duplicate(participant, report)
        target = self._target(participant, reports, now)
        if target is None:
            return self._no_beep(participant, text, dedup_key, now)
        beep, kind, attempt = target
        return self._report(participant, beep, kind, attempt, text, dedup_key, now, reports)

    def _target(
        self, participant: Participant, reports: list[Report], now: dt.datetime
    ) -> tuple[Beep, ReportKind, int] | None:
        """The beep a text received at *now* answers, its kind and attempt number."""
        horizon = now - (self.config.expiry + self.config.late_answer_window + dt.timedelta(days=1))
        sent = [
            b
            for b in self.store.beeps_for(participant.id, since=horizon)
            if b.sent_at is not None and b.sent_at <= now
        ]
        if not sent:
            return None
        beep = max(sent, key=lambda b: (b.sent_at or b.scheduled_at, b.index))
        expires = beep.expires_at or (beep.sent_at or now) + self.config.expiry
        practice = analytics.is_practice(beep)
        if beep.status in (BeepStatus.SENT, BeepStatus.EXPIRED):
            if now <= expires:
                return beep, ReportKind.PRACTICE if practice else ReportKind.ON_TIME, 1
            if not practice and now <= expires + self.config.late_answer_window:
                return beep, ReportKind.LATE, 1
            return None
        if beep.status is not BeepStatus.ANSWERED or practice:
            return None
        previous = [r for r in reports if r.beep_id == beep.id]
        if not previous:
            return None
        last = max(previous, key=lambda r: r.attempt)
        context = last.assessment.get(_STUDY_KEY, {})
        if (
            context.get("retry_offered")
            and last.attempt < self.config.max_validation_attempts
            and now <= last.received_at + self.config.retry_window
        ):
            return beep, ReportKind.RETRY, last.attempt + 1
        return None

    def _validate(
        self, text: str, participant: Participant, training_day: int | None
    ) -> Assessment:
        clipped = text[: self.config.max_report_chars]
        validator = self.validator
        try:
            if not callable(validator) or hasattr(validator, "validate"):
                return validator.validate(
                    clipped,
                    user_id=participant.id,
                    training_day=training_day,
                    lang=participant.lang,
                )
            return validator(clipped, lang=participant.lang, training_day=training_day)
        except Exception as exc:  # a broken validator must not lose the report
            assessment = local_validate(clipped, lang=participant.lang, training_day=training_day)
            self._event("validator_failed", participant.id, error=type(exc).__name__)
            return attrs.evolve(assessment, fallback_reason="validator_error")

    def _report(
        self,
        participant: Participant,
        beep: Beep,
        kind: ReportKind,
        attempt: int,
        text: str,
        dedup_key: str,
        now: dt.datetime,
        reports: list[Report],
    ) -> ReportOutcome:
        training = (
            kind is not ReportKind.PRACTICE
            and beep.training
            and participant.status is ParticipantStatus.TRAINING
        )
        training_day = participant.current_training_day if training else None
        started = time_module.perf_counter()
        assessment = self._validate(text, participant, training_day)
        elapsed_ms = round((time_module.perf_counter() - started) * 1000, 3)
        pass_mark = self.config.pass_mark(training_day) if training_day else None
        retry_offered = bool(
            training
            and pass_mark is not None
            and assessment.score < pass_mark
            and attempt < self.config.max_validation_attempts
        )
        latency = (now - beep.sent_at).total_seconds() if beep.sent_at else None
        record = Report(
            id=new_id(),
            participant_id=participant.id,
            beep_id=beep.id,
            text=text,
            received_at=now,
            dedup_key=dedup_key,
            attempt=attempt,
            latency_s=latency,
            late=kind is ReportKind.LATE,
            score=assessment.score,
            quality=assessment.quality,
            phenomena=sorted(assessment.phenomena),  # type: ignore[arg-type]
            issue_codes=list(assessment.issue_codes),  # type: ignore[arg-type]
            feedback=assessment.feedback,
            source=assessment.source,
            fallback_reason=assessment.fallback_reason,
            validator_version=assessment.version,
            validation_ms=elapsed_ms,
            assessment={
                **assessment.to_dict(),
                _STUDY_KEY: {
                    "kind": kind.value,
                    "training_day": training_day,
                    "pass_mark": pass_mark,
                    "retry_offered": retry_offered,
                    "truncated": len(text) > self.config.max_report_chars,
                },
            },
        )
        stored, created = self.store.add_report(record)
        if not created:
            return self._duplicate(participant, stored)
        if attempt == 1:
            self.store.update_beep(
                beep.id,
                if_status=[BeepStatus.SENT, BeepStatus.EXPIRED],
                status=BeepStatus.ANSWERED,
                answered_at=now,
                claimed_by=None,
                claim_until=None,
            )
        self._event(
            "report_received",
            participant.id,
            event_id=f"report:{stored.id}",
            report_id=stored.id,
            beep_id=beep.id,
            report_kind=kind.value,
            attempt=attempt,
            score=assessment.score,
        )
        all_reports = [*reports, stored]
        if kind is not ReportKind.PRACTICE:
            participant = self._refresh_aggregates(participant, all_reports)
        messages = self._feedback_messages(
            participant,
            kind,
            assessment,
            training_day,
            pass_mark,
            retry_offered,
            stored,
            all_reports,
        )
        return ReportOutcome(
            tuple(messages),
            participant,
            kind=kind,
            report=stored,
            beep=beep,
            assessment=assessment,
            retry_offered=retry_offered,
            latency_s=latency,
        )

    def _feedback_messages(
        self,
        participant: Participant,
        kind: ReportKind,
        assessment: Assessment,
        training_day: int | None,
        pass_mark: int | None,
        retry_offered: bool,
        report: Report,
        reports: list[Report],
    ) -> list[Message]:
        messages: list[Message] = []
        feedback = {
            "score": assessment.score,
            "quality": assessment.quality,
            "strengths": list(assessment.strengths),
            "tip": assessment.feedback,
            "issues": list(assessment.issue_codes),
            "phenomena": sorted(assessment.phenomena),
        }
        if kind is ReportKind.PRACTICE:
            messages.append(
                message(MessageKey.FEEDBACK_PRACTICE, focus=self.config.focus(1), **feedback)
            )
        elif training_day is not None:
            messages.append(
                message(
                    MessageKey.FEEDBACK_TRAINING,
                    day=training_day,
                    focus=self.config.focus(training_day),
                    pass_mark=pass_mark,
                    attempt=report.attempt,
                    **feedback,
                )
            )
            if kind is ReportKind.RETRY:
                first = min(
                    (r for r in reports if r.beep_id == report.beep_id), key=lambda r: r.attempt
                )
                messages.append(
                    message(
                        MessageKey.RETRY_RECORDED, score=assessment.score, first_score=first.score
                    )
                )
            if retry_offered:
                messages.append(
                    message(
                        MessageKey.RETRY_OFFER,
                        score=assessment.score,
                        pass_mark=pass_mark,
                        day=training_day,
                    )
                )
            hint = analytics.personal_hint(
                analytics.best_attempts(reports), min_data=self.config.min_data_for_personalization
            )
            if hint is not None and hint.kind == "issue":
                messages.append(
                    message(
                        MessageKey.PERSONAL_HINT_ISSUE,
                        issue=hint.code,
                        share=hint.share,
                        reports=len(analytics.best_attempts(reports)),
                    )
                )
            elif hint is not None:
                messages.append(
                    message(
                        MessageKey.PERSONAL_HINT_PHENOMENA,
                        phenomenon=hint.code,
                        share=hint.share,
                        missing=list(hint.missing),
                    )
                )
        elif self.config.thanks_after_training:
            messages.append(message(MessageKey.THANKS))
        if kind is ReportKind.LATE:
            latency = report.latency_s or 0.0
            messages.append(message(MessageKey.LATE_REPORT, latency_minutes=round(latency / 60)))
        if kind is ReportKind.PRACTICE or training_day is not None:
            messages.extend(_ai_notes(assessment))
        return messages

    def _refresh_aggregates(self, participant: Participant, reports: list[Report]) -> Participant:
        """Recompute the golden-standard fields from the stored reports (deterministic)."""
        best = analytics.best_attempts(reports)
        if not best:
            return participant
        average = round(sum(r.score or 0 for r in best) / len(best), 1)
        return self._update(
            participant,
            average_data_quality=average,
            phenomena_frequencies=analytics.phenomena_counts(best),
            common_patterns=analytics.common_patterns(
                best, min_data=self.config.min_data_for_personalization
            ),
        )

    def _duplicate(self, participant: Participant, report: Report) -> ReportOutcome:
        context: Mapping[str, Any] = report.assessment.get(_STUDY_KEY, {})
        messages: tuple[Message, ...] = ()
        if report.score is not None and context.get("training_day"):
            messages = (
                message(
                    MessageKey.FEEDBACK_TRAINING,
                    day=context["training_day"],
                    focus=self.config.focus(int(context["training_day"])),
                    pass_mark=context.get("pass_mark"),
                    attempt=report.attempt,
                    score=report.score,
                    quality=report.quality,
                    strengths=list(report.assessment.get("strengths", [])),
                    tip=report.feedback,
                    issues=list(report.issue_codes),
                    phenomena=list(report.phenomena),
                ),
            )
        return ReportOutcome(messages, participant, kind=ReportKind.DUPLICATE, report=report)

    def _no_beep(
        self, participant: Participant, text: str, dedup_key: str, now: dt.datetime
    ) -> ReportOutcome:
        report = Report(
            id=new_id(),
            participant_id=participant.id,
            beep_id=None,
            text=text,
            received_at=now,
            dedup_key=dedup_key,
            assessment={_STUDY_KEY: {"kind": ReportKind.NO_BEEP.value}},
        )
        stored, created = self.store.add_report(report)
        if not created:
            return self._duplicate(participant, stored)
        self._event("text_without_beep", participant.id, report_id=stored.id)
        return ReportOutcome(
            (message(MessageKey.NO_BEEP_PENDING),),
            participant,
            kind=ReportKind.NO_BEEP,
            report=stored,
        )

    # ================================================================ pause / resume / leave

    def pause(self, telegram_id: int, until: dt.datetime | None = None) -> Outcome:
        """Pause beeps (optionally until *until*): future beeps are cancelled, an open one stays."""
        gate = self._gate(telegram_id)
        if isinstance(gate, Outcome):
            return gate
        if gate.status is ParticipantStatus.PAUSED:
            return Outcome((message(MessageKey.ALREADY_PAUSED),), gate)
        now = self._now()
        cancelled = self.store.cancel_future_beeps(gate.id, after=now)
        participant = self._update(
            gate,
            status=ParticipantStatus.PAUSED,
            status_before_pause=gate.status,
            paused_until=until,
        )
        self._event(
            "paused",
            gate.id,
            until=until.isoformat() if until else None,
            cancelled=cancelled,
            previous=gate.status.value,
        )
        return Outcome(
            (message(MessageKey.PAUSED, until=until.isoformat() if until else None),), participant
        )

    def resume(self, telegram_id: int) -> Outcome:
        """Resume after a pause: the rest of today and the coming days are planned again."""
        gate = self._gate(telegram_id)
        if isinstance(gate, Outcome):
            return gate
        if gate.status is not ParticipantStatus.PAUSED:
            return Outcome((message(MessageKey.NOT_PAUSED),), gate)
        participant = self._resume(gate, self._now())
        return Outcome((message(MessageKey.RESUMED),), participant)

    def _resume(self, participant: Participant, now: dt.datetime) -> Participant:
        previous = participant.status_before_pause or ParticipantStatus.TRAINING
        updated = self._update(
            participant, status=previous, status_before_pause=None, paused_until=None
        )
        replanned = self._replan(updated, now) if previous in ACTIVE_STATUSES else 0
        self._event("resumed", participant.id, replanned=replanned)
        return updated

    def withdraw(self, telegram_id: int) -> Outcome:
        """Leave the study: no more beeps; the data stay unless :meth:`delete_data` is called."""
        gate = self._gate(telegram_id, need_consent=False)
        if isinstance(gate, Outcome):
            return gate
        now = self._now()
        cancelled = self.store.cancel_future_beeps(gate.id, after=now - dt.timedelta(days=1))
        participant = self._update(gate, status=ParticipantStatus.WITHDRAWN)
        self._event("withdrawn", gate.id, previous=gate.status.value, cancelled=cancelled)
        return Outcome((message(MessageKey.WITHDRAWN),), participant)

    def delete_data(self, telegram_id: int) -> Outcome:
        """Erase the participant's data on request (a tombstone keeps only the pseudonymous id)."""
        participant = self._participant(telegram_id)
        if participant is None:
            return self._refused(MessageKey.NOT_REGISTERED)
        counts = self.store.delete_participant_data(participant.id)
        self._event("data_deleted", participant.id, counts=dict(counts))
        return Outcome((message(MessageKey.DELETE_DONE, deleted=dict(counts)),), None)

    # ================================================================ status and research

    def participant(self, telegram_id: int) -> Participant | None:
        """The participant with this Telegram id (None when unknown or deleted)."""
        return self._participant(telegram_id)

    def summary(self, participant_id: str) -> StatusSummary | None:
        """Progress, phenomena profile and compliance of one participant (for researchers)."""
        participant = self.store.get_participant(participant_id)
        if participant is None:
            return None
        now = self._now()
        beeps = self.store.beeps_for(participant.id)
        reports = self.store.reports_for(participant.id)
        rows = analytics.compliance_rows(participant.id, beeps, reports)
        total = rows[-1]
        today = self._local_today(participant, now)
        todays = [b for b in beeps if b.local_date == today and not analytics.is_practice(b)]
        average = participant.average_data_quality
        threshold = self.config.quality_threshold
        training_day = (
            participant.current_training_day
            if participant.status is ParticipantStatus.TRAINING
            else 0
        )
        return StatusSummary(
            state=participant.status.value,
            study_day=participant.study_day,
            training_day=training_day,
            answered=total.answered,
            late=total.late,
            missed=total.expired + total.missed,
            average=average,
            threshold=threshold,
            progress=min(100, round(average / threshold * 100)) if threshold else 100,
            today_answered=sum(1 for b in todays if b.status is BeepStatus.ANSWERED),
            today_planned=sum(1 for b in todays if b.status is not BeepStatus.CANCELLED),
            phenomena=analytics.phenomena_profile(analytics.best_attempts(reports)),
            compliance=tuple(rows),
        )

    def status(self, telegram_id: int) -> Outcome:
        """``/status``: day, beeps answered and missed, average quality, progress to threshold."""
        gate = self._gate(telegram_id, need_consent=False)
        if isinstance(gate, Outcome):
            return gate
        summary = self.summary(gate.id)
        assert summary is not None
        params = attrs.asdict(summary, recurse=False)
        params.pop("phenomena")
        params.pop("compliance")
        params["day"] = summary.study_day
        return Outcome((message(MessageKey.STATUS, **params),), gate)

    def phenomena_profile(self, participant_id: str) -> tuple[analytics.PhenomenonRow, ...]:
        """The participant's phenomena frequencies next to Heavey & Hurlburt (2008) norms."""
        return analytics.phenomena_profile(
            analytics.best_attempts(self.store.reports_for(participant_id))
        )

    def compliance(self, participant_id: str | None = None) -> list[analytics.ComplianceRow]:
        """Compliance rows (per day, then a total) for one participant or everyone."""
        if participant_id is not None:
            ids = [participant_id]
        else:
            ids = [p.id for p in self.store.list_participants() if p.deleted_at is None]
        rows: list[analytics.ComplianceRow] = []
        for pid in ids:
            rows.extend(
                analytics.compliance_rows(
                    pid, self.store.beeps_for(pid), self.store.reports_for(pid)
                )
            )
        return rows


def _ai_notes(assessment: Assessment) -> list[Message]:
    """A note when local feedback stood in for the AI (rate limited: when it resumes)."""
    if assessment.fallback_reason is None:
        return []
    if assessment.fallback_reason == "rate_limited":
        minutes = max(1, round((assessment.retry_after or 60) / 60))
        return [message(MessageKey.AI_RATE_LIMITED, minutes=minutes)]
    return [message(MessageKey.AI_UNAVAILABLE, reason=assessment.fallback_reason)]


def _jsonable(value: Any) -> Any:
    if isinstance(value, (dt.time, dt.date)):
        return value.isoformat()
    return value
