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
import logging
import random
import uuid
from collections.abc import Callable
from typing import Any

import attrs

from esm_bot.domain.clock import utc_now
from esm_bot.domain.config import StudyConfig
from esm_bot.domain.models import (
    AddressForm,
    Beep,
    BeepStatus,
    Participant,
    ParticipantStatus,
    new_id,
)
from esm_bot.domain.schedule import ScheduleError, parse_timezone
from esm_bot.store.base import Store
from esm_bot.store.errors import StoreUnavailable
from esm_bot.study import analytics
from esm_bot.study.context import (
    ACTIVE_STATUSES,
    ADDRESS_CHOSEN,
    SEED,
    StudyContext,
    ValidateFunction,
)
from esm_bot.study.days import DayCloser
from esm_bot.study.delivery import Delivery
from esm_bot.study.messages import Message, MessageKey, message
from esm_bot.study.outcomes import (
    Action,
    ActionKind,
    Outcome,
    ReportOutcome,
    StatusSummary,
)
from esm_bot.study.planning import Planner
from esm_bot.study.reports import Reports
from esm_validate import Validator

__all__ = ["ACTIVE_STATUSES", "AWAITING_KEY", "Study", "ValidateFunction", "parse_window"]

_log = logging.getLogger(__name__)


#: Key in ``Participant.extra`` holding the question the participant's next text answers.
AWAITING_KEY = "bot_awaiting"

#: Statuses from which a participant can pause.
_PAUSABLE = ACTIVE_STATUSES | {ParticipantStatus.CONSENTED}


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


@attrs.define
class Study:
    """The DES study protocol over a :class:`~esm_bot.store.Store`.

    Construct it as ``Study(store, validator, config, *, clock=..., rng=..., worker=...,
    maintenance_every=...)``; each argument is kept as the attribute of the same name.

    A thin facade: onboarding, settings, pause and leave, status and the tick live here; the
    work is done by four composed parts, each owning its state: :attr:`planning`
    (:class:`~esm_bot.study.planning.Planner`), :attr:`delivery`
    (:class:`~esm_bot.study.delivery.Delivery`), :attr:`days`
    (:class:`~esm_bot.study.days.DayCloser`) and :attr:`reports`
    (:class:`~esm_bot.study.reports.Reports`), over one :class:`StudyContext` (:attr:`ctx`).

    Attributes:
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
    clock: Callable[[], dt.datetime] = attrs.field(default=utc_now, kw_only=True)
    rng: random.Random = attrs.field(factory=random.Random, kw_only=True)
    worker: str = attrs.field(factory=lambda: f"study-{uuid.uuid4().hex[:8]}", kw_only=True)
    maintenance_every: dt.timedelta = attrs.field(default=dt.timedelta(minutes=1), kw_only=True)
    ctx: StudyContext = attrs.field(init=False)
    planning: Planner = attrs.field(init=False)
    delivery: Delivery = attrs.field(init=False)
    days: DayCloser = attrs.field(init=False)
    reports: Reports = attrs.field(init=False)
    _last_maintenance: dt.datetime | None = attrs.field(default=None, init=False)
    #: Per participant: no maintenance needed before this time (until their record changes).
    _quiet_until: dict[str, dt.datetime] = attrs.field(factory=dict, init=False)

    def __attrs_post_init__(self) -> None:
        self.ctx = StudyContext(self.store, self.config, self.clock, self.worker, self._wake)
        self.planning = Planner(self.ctx)
        self.delivery = Delivery(self.ctx)
        self.days = DayCloser(self.ctx, self.maintenance_every)
        self.reports = Reports(self.ctx, self.validator)

    def _wake(self, participant_id: str) -> None:
        """Forget the quiet period of a participant whose plan or state just changed."""
        self._quiet_until.pop(participant_id, None)

    def register(self, telegram_id: int, chat_id: int, lang: str | None = None) -> Outcome:
        """``/start``: create the participant (or find them) and ask for consent.

        A returning participant keeps their record (chat id refreshed); one who had withdrawn
        rejoins as registered and is asked for consent again.
        """
        now = self.ctx.now()
        participant = self.ctx.participant(telegram_id)
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
                extra={SEED: f"{self.rng.getrandbits(64):016x}"},
            )
            participant = self.store.add_participant(participant)
            self.ctx.event("registered", participant.id, lang=participant.lang)
        else:
            changes: dict[str, Any] = {"chat_id": chat_id, "active": True}
            if participant.status is ParticipantStatus.WITHDRAWN:
                changes["status"] = ParticipantStatus.REGISTERED
                self.ctx.event("rejoined", participant.id)
            was_unreachable = not participant.active
            participant = self.ctx.update(participant, **changes)
            if was_unreachable and participant.status in ACTIVE_STATUSES:
                self.ctx.event("reachable", participant.id)
                self.planning.replan(participant, self.ctx.now())
        messages = [message(MessageKey.WELCOME, training_days=self.config.training_days)]
        if participant.status is ParticipantStatus.REGISTERED:
            messages.append(message(MessageKey.CONSENT, version=self.config.consent_version))
        return Outcome(tuple(messages), participant)

    def consent(self, telegram_id: int, version: str | None = None) -> Outcome:
        """Record that the participant accepted the consent text (*version*, default current).

        Accepting an outdated version asks again with the current one.
        """
        gate = self.ctx.gate(telegram_id, need_consent=False)
        if isinstance(gate, Outcome):
            return gate
        current = self.config.consent_version
        if version is not None and version != current:
            return self.ctx.refused(MessageKey.CONSENT, gate, version=current)
        now = self.ctx.now()
        changes: dict[str, Any] = {"consent_version": current, "consented_at": now}
        if gate.status is ParticipantStatus.REGISTERED:
            changes["status"] = ParticipantStatus.CONSENTED
        participant = self.ctx.update(gate, **changes)
        self.ctx.event("consented", participant.id, version=current)
        return Outcome((message(MessageKey.CONSENT_RECORDED, version=current),), participant)

    def decline_consent(self, telegram_id: int) -> Outcome:
        """Record that the participant declined; nothing else is stored about them."""
        participant = self.ctx.participant(telegram_id)
        if participant is not None:
            self.ctx.event("consent_declined", participant.id, version=self.config.consent_version)
        return Outcome((), participant)

    def set_language(self, telegram_id: int, lang: str) -> Outcome:
        """Set the language (``"ru"`` or ``"en"``)."""
        gate = self.ctx.gate(telegram_id, need_consent=False)
        if isinstance(gate, Outcome):
            return gate
        if lang not in ("ru", "en"):
            return self.ctx.refused(
                MessageKey.SETTING_INVALID, gate, reason=f"Unknown language {lang!r}.", code="lang"
            )
        participant = self.ctx.update(gate, lang=lang)
        self.ctx.event("language_changed", gate.id, old=gate.lang, new=lang)
        return self._saved(participant, "lang", lang, 0)

    def set_address_form(self, telegram_id: int, form: str | AddressForm) -> Outcome:
        """Set the address form (``"informal"`` or ``"formal"``)."""
        gate = self.ctx.gate(telegram_id, need_consent=False)
        if isinstance(gate, Outcome):
            return gate
        try:
            chosen = AddressForm(form)
        except ValueError:
            return self.ctx.refused(
                MessageKey.SETTING_INVALID, gate, reason=f"Unknown form {form!r}.", code="form"
            )
        participant = self.ctx.update(
            gate, address_form=chosen, extra={**gate.extra, ADDRESS_CHOSEN: True}
        )
        self.ctx.event("address_form_changed", gate.id, new=chosen.value)
        return self._saved(participant, "address_form", chosen.value, 0)

    def set_timezone(self, telegram_id: int, text: str) -> Outcome:
        """Set the time zone from what the participant typed (IANA name or UTC offset)."""
        gate = self.ctx.gate(telegram_id, need_consent=False)
        if isinstance(gate, Outcome):
            return gate
        try:
            tz = parse_timezone(text)
        except ScheduleError as exc:
            return self.ctx.refused(
                MessageKey.TIMEZONE_INVALID, gate, text=text, reason=str(exc), code=exc.code
            )
        return self._change_schedule(gate, "tz", tz=tz)

    def set_window(
        self, telegram_id: int, start: dt.time | str, end: dt.time | None = None
    ) -> Outcome:
        """Set the waking window (two times, or one ``"09:00-21:00"`` text)."""
        gate = self.ctx.gate(telegram_id, need_consent=False)
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

    def set_beeps_per_day(self, telegram_id: int, n: int | str) -> Outcome:
        """Set the number of beeps a day (within the study's limits), as a number or typed."""
        gate = self.ctx.gate(telegram_id, need_consent=False)
        if isinstance(gate, Outcome):
            return gate
        if isinstance(n, str):
            if not n.strip().isdigit():
                return self._invalid(gate, ScheduleError("schedule.bad_beeps", "Not a number."))
            n = int(n)
        return self._change_schedule(gate, "beeps_per_day", beeps_per_day=n)

    def _invalid(self, participant: Participant, exc: ScheduleError) -> Outcome:
        return self.ctx.refused(
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
        updated = self.ctx.update(participant, **changes)
        kind = "tz_changed" if setting == "tz" else "schedule_changed"
        self.ctx.event(kind, updated.id, old=old, new={k: _jsonable(v) for k, v in changes.items()})
        replanned = 0
        if updated.status in ACTIVE_STATUSES:
            replanned = self.planning.replan(updated, self.ctx.now())
        value = (
            _jsonable(changes[next(iter(changes))])
            if len(changes) == 1
            else {k: _jsonable(v) for k, v in changes.items()}
        )
        return self._saved(updated, setting, value, replanned)

    def start(self, telegram_id: int) -> Outcome:
        """Begin training (or sampling when there is none): plan whole days ahead and store them.

        Idempotent: calling it again (a restart, a second process, a double tap) plans nothing new.
        """
        gate = self.ctx.gate(telegram_id)
        if isinstance(gate, Outcome):
            return gate
        now = self.ctx.now()
        participant = gate
        if participant.status is ParticipantStatus.CONSENTED:
            today = self.ctx.local_today(participant, now)
            first = today if self.config.start_same_day else today + dt.timedelta(days=1)
            training = self.config.training_days > 0
            participant = self.ctx.update(
                participant,
                status=ParticipantStatus.TRAINING if training else ParticipantStatus.SAMPLING,
                training_start_date=first,
                current_training_day=1 if training else 0,
                study_day=1,
                day_repeats=0,
                sampling_start_date=None if training else first,
            )
            self.ctx.event("study_started", participant.id, first_day=first.isoformat())
        if participant.status in ACTIVE_STATUSES:
            self.planning.plan_ahead(participant, now)
        return Outcome((self._plan_message(participant, now),), participant)

    @staticmethod
    def _first_day(participant: Participant) -> dt.date | None:
        return participant.training_start_date or participant.sampling_start_date

    def _plan_message(
        self, participant: Participant, now: dt.datetime, key: MessageKey = MessageKey.STUDY_STARTED
    ) -> Message:
        """When the first real beeps come and what happens then (``study_started``)."""
        first_day = self._first_day(participant)
        return message(
            key,
            first_day=first_day.isoformat() if first_day else None,
            today=self.ctx.local_today(participant, now).isoformat(),
            training_days=self.config.training_days,
            beeps_per_day=participant.beeps_per_day,
            window=f"{participant.window_start:%H:%M}-{participant.window_end:%H:%M}",
        )

    def plan(self, telegram_id: int) -> Outcome:
        """What happens next for a participant who has started: ``study_started`` (first real
        beep day, beeps a day, window, training days), the same text onboarding ends with."""
        gate = self.ctx.gate(telegram_id)
        if isinstance(gate, Outcome):
            return gate
        return Outcome((self._plan_message(gate, self.ctx.now()),), gate)

    def tick(self, now: dt.datetime | None = None) -> list[Action]:
        """Return what is due now: beeps to send, reminders, expiries, notices.

        Safe to call from several processes: each beep is handed to exactly one caller (store
        lease), each reminder and expiry happens once. Call it every few seconds.
        """
        now = self.ctx.now(now)
        actions: list[Action] = []
        cache: dict[str, Participant | None] = {}

        def who(pid: str) -> Participant | None:
            if pid not in cache:
                cache[pid] = self.store.get_participant(pid)
            return cache[pid]

        due = (
            self._last_maintenance is None or now - self._last_maintenance >= self.maintenance_every
        )
        if due and self._survive_outage(self._maintenance, now, actions):
            self._last_maintenance = now
        self._survive_outage(lambda n, a: self.delivery.hand_out(n, who, a), now, actions)
        self._survive_outage(lambda n, a: self.delivery.remind_and_expire(n, who, a), now, actions)
        return actions

    @staticmethod
    def _survive_outage(
        phase: Callable[[dt.datetime, list[Action]], None],
        now: dt.datetime,
        actions: list[Action],
    ) -> bool:
        """Run one phase of a tick; while the database is unreachable, stop it and say so.

        What the phase appended before the outage stays; the rest is retried on a later tick
        (a beep's lease runs out, a day closes later), so nothing is lost or doubled.
        """
        try:
            phase(now, actions)
        except StoreUnavailable as exc:
            _log.warning("study tick: database unreachable (%s); retrying on the next tick", exc)
            return False
        return True

    def _maintenance(self, now: dt.datetime, actions: list[Action]) -> None:
        """Resume ended pauses, close finished days, plan the coming days."""
        for participant in self.store.list_participants(
            [ParticipantStatus.TRAINING, ParticipantStatus.SAMPLING, ParticipantStatus.PAUSED]
        ):
            if participant.deleted_at is not None or not participant.active:
                continue
            pause_over = participant.paused_until is not None and now >= participant.paused_until
            if participant.status is ParticipantStatus.PAUSED and pause_over:
                participant = self._resume(participant, now)
                actions.append(
                    self.ctx.action(ActionKind.NOTIFY, participant, message(MessageKey.RESUMED))
                )
            elif now < self._quiet_until.get(participant.id, now):
                continue
            notices, next_close = self.days.close_days(participant, now)
            actions.extend(notices)
            fresh = self.store.get_participant(participant.id)
            if fresh is not None and fresh.status in ACTIVE_STATUSES:
                self.planning.plan_ahead(fresh, now)
            self._quiet_until[participant.id] = min(
                next_close or dt.datetime.max.replace(tzinfo=dt.UTC),
                self.ctx.next_local_midnight(participant, now),
            )

    def pause(self, telegram_id: int, until: dt.datetime | None = None) -> Outcome:
        """Pause beeps (optionally until *until*): future beeps are cancelled, an open one stays."""
        gate = self.ctx.gate(telegram_id)
        if isinstance(gate, Outcome):
            return gate
        if gate.status is ParticipantStatus.PAUSED:
            return Outcome((message(MessageKey.ALREADY_PAUSED),), gate)
        if gate.status not in _PAUSABLE:
            return self.ctx.refused(MessageKey.NOT_ACTIVE, gate, state=gate.status.value)
        now = self.ctx.now()
        cancelled = self.store.cancel_future_beeps(gate.id, after=now)
        participant = self.ctx.update(
            gate,
            status=ParticipantStatus.PAUSED,
            status_before_pause=gate.status,
            paused_until=until,
        )
        self.ctx.event(
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
        gate = self.ctx.gate(telegram_id)
        if isinstance(gate, Outcome):
            return gate
        if gate.status is not ParticipantStatus.PAUSED:
            return Outcome((message(MessageKey.NOT_PAUSED),), gate)
        participant = self._resume(gate, self.ctx.now())
        return Outcome((message(MessageKey.RESUMED),), participant)

    def _resume(self, participant: Participant, now: dt.datetime) -> Participant:
        previous = participant.status_before_pause or ParticipantStatus.TRAINING
        updated = self.ctx.update(
            participant, status=previous, status_before_pause=None, paused_until=None
        )
        replanned = self.planning.replan(updated, now) if previous in ACTIVE_STATUSES else 0
        self.ctx.event("resumed", participant.id, replanned=replanned)
        return updated

    def withdraw(self, telegram_id: int) -> Outcome:
        """Leave the study: no more beeps; the data stay unless :meth:`delete_data` is called."""
        gate = self.ctx.gate(telegram_id, need_consent=False)
        if isinstance(gate, Outcome):
            return gate
        now = self.ctx.now()
        cancelled = self.store.cancel_future_beeps(gate.id, after=now - dt.timedelta(days=1))
        participant = self.ctx.update(gate, status=ParticipantStatus.WITHDRAWN)
        self.ctx.event("withdrawn", gate.id, previous=gate.status.value, cancelled=cancelled)
        return Outcome((message(MessageKey.WITHDRAWN),), participant)

    def delete_data(self, telegram_id: int) -> Outcome:
        """Erase the participant's data on request (a tombstone keeps only the pseudonymous id)."""
        participant = self.ctx.participant(telegram_id)
        if participant is None:
            return self.ctx.refused(MessageKey.NOT_REGISTERED)
        counts = self.store.delete_participant_data(participant.id)
        self.ctx.event("data_deleted", participant.id, counts=dict(counts))
        return Outcome((message(MessageKey.DELETE_DONE, deleted=dict(counts)),), None)

    def participant(self, telegram_id: int) -> Participant | None:
        """The participant with this Telegram id (None when unknown or deleted)."""
        return self.ctx.participant(telegram_id)

    def practice(self, telegram_id: int) -> Outcome:
        """A practice beep now (see :meth:`Reports.practice <esm_bot.study.reports.Reports>`)."""
        return self.reports.practice(telegram_id)

    def pilot(self, telegram_id: int) -> Outcome:
        """A researcher's pilot beep now (see :meth:`Reports.pilot <esm_bot.study.reports>`)."""
        return self.reports.pilot(telegram_id)

    def handle_text(
        self, telegram_id: int, text: str, *, dedup_key: str, received_at: dt.datetime | None = None
    ) -> ReportOutcome:
        """Treat a text as a report: attach it to its beep, validate, give feedback.

        Idempotent by *dedup_key* (e.g. ``f"tg:{chat_id}:{message_id}"``).
        """
        return self.reports.handle_text(telegram_id, text, dedup_key=dedup_key, at=received_at)

    def edit_report(
        self,
        telegram_id: int,
        text: str,
        *,
        original_key: str,
        dedup_key: str,
        received_at: dt.datetime | None = None,
    ) -> ReportOutcome:
        """A message edited in Telegram: the original is kept, the edit stored and scored (see
        :meth:`Reports.edit_report <esm_bot.study.reports.Reports>`)."""
        return self.reports.edit_report(
            telegram_id, text, original_key=original_key, dedup_key=dedup_key, at=received_at
        )

    def beep_sent(
        self, beep_id: str, message_id: int | None = None, *, at: dt.datetime | None = None
    ) -> Beep | None:
        """Record that the beep was delivered (Telegram accepted it); starts its answer window."""
        return self.delivery.beep_sent(beep_id, message_id, at=at)

    def renew_claim(self, beep_id: str, now: dt.datetime) -> bool:
        """Renew this process's lease on a due beep right before sending it (False: lost)."""
        return self.delivery.renew_claim(beep_id, now)

    def beep_failed(self, beep_id: str, *, blocked: bool = False, reason: str = "") -> Beep | None:
        """Record that sending failed; *blocked* (Telegram 403): the participant is unreachable."""
        return self.delivery.beep_failed(beep_id, blocked=blocked, reason=reason)

    def mark_unreachable(self, chat_id: int) -> Participant | None:
        """The participant in *chat_id* blocked the bot (403): stop beeping them."""
        return self.delivery.mark_unreachable(chat_id)

    def await_answer(self, telegram_id: int, step: str | None) -> Participant:
        """Remember which question the participant's next text answers (``None``: none).

        Kept in the participant record (``extra["bot_awaiting"]``), so a restart or another
        process behind a load balancer continues the conversation.
        """
        current = self.ctx.participant(telegram_id)
        if current is None:
            raise LookupError("unknown participant")
        extra = {k: v for k, v in current.extra.items() if k != AWAITING_KEY}
        if step is not None:
            extra[AWAITING_KEY] = step
        if extra == dict(current.extra):
            return current
        return self.store.update_participant(current.id, extra=extra)

    def stats(self) -> dict[str, Any]:
        """Store counts plus the whole study's beeps answered (on time), late, expired, missed.

        For the metrics log line. :meth:`compliance` gives each participant's per-day rows then
        their total row (``local_date`` None); the study's figure is the sum of the total rows.
        """
        figures: dict[str, Any] = dict(self.store.counts())
        totals = [row for row in self.compliance() if row.local_date is None]
        for name in ("answered", "late", "expired", "missed"):
            figures[f"beeps_{name}"] = sum(getattr(row, name) for row in totals)
        return figures

    def summary(self, participant_id: str) -> StatusSummary | None:
        """Progress, phenomena profile and compliance of one participant (for researchers)."""
        participant = self.store.get_participant(participant_id)
        if participant is None:
            return None
        now = self.ctx.now()
        beeps = self.store.beeps_for(participant.id)
        reports = self.store.reports_for(participant.id)
        rows = analytics.compliance_rows(participant.id, beeps, reports)
        total = rows[-1]
        today = self.ctx.local_today(participant, now)
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
        gate = self.ctx.gate(telegram_id, need_consent=False)
        if isinstance(gate, Outcome):
            return gate
        now = self.ctx.now()
        first_day = self._first_day(gate)
        if gate.status in ACTIVE_STATUSES and (
            first_day is None or self.ctx.local_today(gate, now) < first_day
        ):
            return Outcome((self._plan_message(gate, now, MessageKey.STATUS_WAITING),), gate)
        summary = self.summary(gate.id)
        assert summary is not None
        params = attrs.asdict(summary, recurse=False)
        params.pop("phenomena")
        params.pop("compliance")
        params["day"] = summary.study_day
        scored = analytics.best_attempts(self.ctx.store.reports_for(gate.id))
        key = MessageKey.STATUS if scored else MessageKey.STATUS_NO_REPORTS
        return Outcome((message(key, reports=len(scored), **params),), gate)

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


def _jsonable(value: Any) -> Any:
    if isinstance(value, (dt.time, dt.date)):
        return value.isoformat()
    return value
