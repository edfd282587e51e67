"""The study engine: :class:`Study`, the one facade the bot's handlers call (docs/study.md)."""

from __future__ import annotations

import datetime as dt
import functools
import logging
import random
import uuid
from collections.abc import Callable
from typing import Any, Concatenate, Generic, ParamSpec, TypeVar, cast

import attrs

from esm_bot.domain import models
from esm_bot.domain.models import AddressForm, BeepStatus, Participant, ParticipantStatus, new_id
from esm_bot.domain.schedule import ScheduleError, parse_timezone, zone_for
from esm_bot.settings import StudyConfig
from esm_bot.store.base import Store
from esm_bot.store.errors import StoreUnavailable
from esm_bot.study import analytics, days, planning
from esm_bot.study.context import (
    ACTIVE_STATUSES,
    ADDRESS_CHOSEN,
    IN_STUDY,
    SEED,
    StudyContext,
    ValidateFunction,
    gated,
)
from esm_bot.study.delivery import Delivery
from esm_bot.study.outcomes import Action, ActionKind, Message, MessageKey, Outcome, message
from esm_bot.study.reports import Reports
from esm_validate import Validator

__all__ = ["ACTIVE_STATUSES", "AWAITING_KEY", "Study", "ValidateFunction", "parse_window"]

_log = logging.getLogger(__name__)
P = ParamSpec("P")
R = TypeVar("R")

#: One phase of a tick: (now, participant by id, the actions so far).
_Phase = Callable[[dt.datetime, Callable[[str], Participant | None], list[Action]], None]
#: Key in ``Participant.extra`` holding the question the participant's next text answers.
AWAITING_KEY = "bot_awaiting"


def parse_window(text: str) -> tuple[dt.time, dt.time]:
    """Parse a waking window typed as ``HH:MM-HH:MM`` (also ``9-21``, ``09.00 – 21.30``); a
    :class:`ScheduleError` (a ValueError) says what is wrong in words a participant can read."""
    parts = text.replace("–", "-").replace("—", "-").replace(" ", "").split("-")
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


class _Forward(Generic[P, R]):
    """A part's method offered on the facade (``study.beep_sent``: ``study.delivery.beep_sent``)."""

    def __init__(self, part: str, method: Callable[Concatenate[Any, P], R]) -> None:
        self.part, self.name, self.__doc__ = part, method.__name__, method.__doc__

    def __get__(self, study: Any, owner: type | None = None) -> Callable[P, R]:
        if study is None:  # on the class (help(), inspect): the descriptor with its docstring
            return cast("Callable[P, R]", self)
        return cast("Callable[P, R]", getattr(getattr(study, self.part), self.name))


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, (dt.time, dt.date)) else value


@attrs.define
class Study:
    """The DES study protocol over a store: one facade over four parts (docs/study.md)."""

    store: Store
    validator: Validator | ValidateFunction
    config: StudyConfig = attrs.field(factory=StudyConfig)
    clock: Callable[[], dt.datetime] = attrs.field(default=models.utc_now, kw_only=True)
    rng: random.Random = attrs.field(factory=random.Random, kw_only=True)
    worker: str = attrs.field(factory=lambda: f"study-{uuid.uuid4().hex[:8]}", kw_only=True)
    maintenance_every: dt.timedelta = attrs.field(default=dt.timedelta(minutes=1), kw_only=True)
    ctx: StudyContext = attrs.field(init=False)
    delivery: Delivery = attrs.field(init=False)
    reports: Reports = attrs.field(init=False)
    _last_maintenance: dt.datetime | None = attrs.field(default=None, init=False)
    #: Per participant: no maintenance needed before this time (until their record changes).
    _quiet_until: dict[str, dt.datetime] = attrs.field(factory=dict, init=False)

    participant = _Forward("ctx", StudyContext.participant)
    practice = _Forward("reports", Reports.practice)
    pilot = _Forward("reports", Reports.pilot)
    handle_text = _Forward("reports", Reports.handle_text)
    edit_report = _Forward("reports", Reports.edit_report)
    beep_sent = _Forward("delivery", Delivery.beep_sent)
    renew_claim = _Forward("delivery", Delivery.renew_claim)
    beep_failed = _Forward("delivery", Delivery.beep_failed)
    mark_unreachable = _Forward("delivery", Delivery.mark_unreachable)

    def __attrs_post_init__(self) -> None:
        self.ctx = StudyContext(self.store, self.config, self.clock, self.worker, self._wake)
        self.delivery = Delivery(self.ctx)
        self.reports = Reports(self.ctx, self.validator)

    def _wake(self, participant_id: str) -> None:
        """Forget the quiet period of a participant whose plan or state just changed."""
        self._quiet_until.pop(participant_id, None)

    def register(self, telegram_id: int, chat_id: int, lang: str | None = None) -> Outcome:
        """``/start``: create or find the participant (one who withdrew rejoins) and ask consent."""
        participant = self.ctx.participant(telegram_id)
        if participant is None:
            participant = Participant(
                id=new_id(),
                created_at=self.ctx.now(),
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
                planning.replan(self.ctx, participant, self.ctx.now())
        messages = [message(MessageKey.WELCOME, training_days=self.config.training_days)]
        if participant.status is ParticipantStatus.REGISTERED:
            messages.append(message(MessageKey.CONSENT, version=self.config.consent_version))
        return Outcome(tuple(messages), participant)

    @gated(need_consent=False)
    def consent(self, participant: Participant, version: str | None = None) -> Outcome:
        """Record consent to *version* (default current; an outdated one asks again)."""
        current = self.config.consent_version
        if version is not None and version != current:
            return self.ctx.refused(MessageKey.CONSENT, participant, version=current)
        changes: dict[str, Any] = {"consent_version": current, "consented_at": self.ctx.now()}
        if participant.status is ParticipantStatus.REGISTERED:
            changes["status"] = ParticipantStatus.CONSENTED
        participant = self.ctx.update(participant, **changes)
        self.ctx.event("consented", participant.id, version=current)
        return Outcome((message(MessageKey.CONSENT_RECORDED, version=current),), participant)

    def decline_consent(self, telegram_id: int) -> Outcome:
        """Record that the participant declined; nothing else is stored about them."""
        participant = self.ctx.participant(telegram_id)
        if participant is not None:
            self.ctx.event("consent_declined", participant.id, version=self.config.consent_version)
        return Outcome((), participant)

    @gated(need_consent=False)
    def set_language(self, participant: Participant, lang: str) -> Outcome:
        """Set the language (``"ru"`` or ``"en"``)."""
        if lang not in ("ru", "en"):
            return self._invalid(participant, "lang", f"Unknown language {lang!r}.")
        updated = self.ctx.update(participant, lang=lang)
        self.ctx.event("language_changed", participant.id, old=participant.lang, new=lang)
        return self._saved(updated, "lang", lang)

    @gated(need_consent=False)
    def set_address_form(self, participant: Participant, form: str | AddressForm) -> Outcome:
        """Set the address form (``"informal"`` or ``"formal"``)."""
        try:
            chosen = AddressForm(form)
        except ValueError:
            return self._invalid(participant, "form", f"Unknown form {form!r}.")
        extra = {**participant.extra, ADDRESS_CHOSEN: True}
        updated = self.ctx.update(participant, address_form=chosen, extra=extra)
        self.ctx.event("address_form_changed", participant.id, new=chosen.value)
        return self._saved(updated, "address_form", chosen.value)

    @gated(need_consent=False)
    def set_timezone(self, participant: Participant, text: str) -> Outcome:
        """Set the time zone from what the participant typed (IANA name or UTC offset)."""
        try:
            tz = parse_timezone(text)
        except ScheduleError as exc:
            return self.ctx.refused(
                MessageKey.TIMEZONE_INVALID, participant, text=text, reason=str(exc), code=exc.code
            )
        return self._change_schedule(participant, "tz", tz=tz)

    @gated(need_consent=False)
    def set_window(
        self, participant: Participant, start: dt.time | str, end: dt.time | None = None
    ) -> Outcome:
        """Set the waking window (two times, or one ``"09:00-21:00"`` text)."""
        try:
            if isinstance(start, str):
                start, end = parse_window(start)
            if end is None:
                raise ScheduleError("schedule.bad_window", "The window needs an end time.")
        except ScheduleError as exc:
            return self._invalid(participant, exc.code, str(exc), **exc.params)
        return self._change_schedule(participant, "window", window_start=start, window_end=end)

    @gated(need_consent=False)
    def set_beeps_per_day(self, participant: Participant, n: int | str) -> Outcome:
        """Set the number of beeps a day (within the study's limits), as a number or typed."""
        if isinstance(n, str):
            if not n.strip().isdigit():
                return self._invalid(participant, "schedule.bad_beeps", "Not a number.")
            n = int(n)
        return self._change_schedule(participant, "beeps_per_day", beeps_per_day=n)

    def _invalid(self, participant: Participant, code: str, reason: str, **params: Any) -> Outcome:
        return self.ctx.refused(
            MessageKey.SETTING_INVALID, participant, reason=reason, code=code, **params
        )

    @staticmethod
    def _saved(participant: Participant, setting: str, value: Any, replanned: int = 0) -> Outcome:
        said = message(MessageKey.SETTINGS_SAVED, setting=setting, value=value, replanned=replanned)
        return Outcome((said,), participant)

    def _change_schedule(self, participant: Participant, setting: str, **changes: Any) -> Outcome:
        proposed = attrs.evolve(participant, **changes)
        try:
            self.config.check_participant_schedule(
                proposed.beeps_per_day, proposed.window_start, proposed.window_end, proposed.tz
            )
        except ScheduleError as exc:
            return self._invalid(participant, exc.code, str(exc), **exc.params)
        old = {k: _jsonable(getattr(participant, k)) for k in changes}
        new = {k: _jsonable(v) for k, v in changes.items()}
        updated = self.ctx.update(participant, **changes)
        kind = "tz_changed" if setting == "tz" else "schedule_changed"
        self.ctx.event(kind, updated.id, old=old, new=new)
        replanned = 0
        if updated.status in ACTIVE_STATUSES:
            replanned = planning.replan(self.ctx, updated, self.ctx.now())
        value = new if len(new) > 1 else next(iter(new.values()))
        return self._saved(updated, setting, value, replanned)

    @gated()
    def start(self, participant: Participant) -> Outcome:
        """Begin training (or sampling when there is none); plan whole days ahead (idempotent)."""
        now = self.ctx.now()
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
            planning.plan_ahead(self.ctx, participant, now)
        return Outcome((self._plan_message(participant, now),), participant)

    def _plan_message(
        self, participant: Participant, now: dt.datetime, key: MessageKey = MessageKey.STUDY_STARTED
    ) -> Message:
        first_day = participant.training_start_date or participant.sampling_start_date
        return message(
            key,
            first_day=first_day.isoformat() if first_day else None,
            today=self.ctx.local_today(participant, now).isoformat(),
            training_days=self.config.training_days,
            beeps_per_day=participant.beeps_per_day,
            window=f"{participant.window_start:%H:%M}-{participant.window_end:%H:%M}",
        )

    def tick(self, now: dt.datetime | None = None) -> list[Action]:
        """What is due now: beeps, reminders, expiries, notices (each once, from any process)."""
        now = self.ctx.now(now)
        actions: list[Action] = []
        who = functools.cache(self.store.get_participant)
        phases: list[_Phase] = [self.delivery.hand_out, self.delivery.remind_and_expire]
        last = self._last_maintenance
        if last is None or now - last >= self.maintenance_every:
            phases.insert(0, self._maintenance)
        for phase in phases:
            # While the database is unreachable a phase stops; what it appended stays and the
            # rest is retried on a later tick (a lease runs out, a day closes later).
            try:
                phase(now, who, actions)
            except StoreUnavailable as exc:
                _log.warning(
                    "study tick: database unreachable (%s); retrying on the next tick", exc
                )
        return actions

    def _maintenance(
        self, now: dt.datetime, who: Callable[[str], Participant | None], actions: list[Action]
    ) -> None:
        """Resume ended pauses, close finished days, plan the coming days."""
        for participant in self.store.list_participants(IN_STUDY):
            if participant.deleted_at is not None or not participant.active:
                continue
            pause_over = participant.paused_until is not None and now >= participant.paused_until
            if participant.status is ParticipantStatus.PAUSED and pause_over:
                participant = self._resume(participant, now)
                resumed = message(MessageKey.RESUMED)
                actions.append(Action(ActionKind.NOTIFY, participant, resumed))
            elif now < self._quiet_until.get(participant.id, now):
                continue
            notices, next_close = days.close_days(
                self.ctx, participant, now, self.maintenance_every
            )
            actions.extend(notices)
            fresh = self.store.get_participant(participant.id)
            if fresh is not None and fresh.status in ACTIVE_STATUSES:
                planning.plan_ahead(self.ctx, fresh, now)
            # Nothing to do before the next day closes or the participant's next local day starts.
            tomorrow = self.ctx.local_today(participant, now) + dt.timedelta(days=1)
            self._quiet_until[participant.id] = min(
                next_close or dt.datetime.max.replace(tzinfo=dt.UTC),
                dt.datetime.combine(tomorrow, dt.time(), tzinfo=zone_for(participant.tz)),
            )
        self._last_maintenance = now

    @gated()
    def pause(self, participant: Participant, until: dt.datetime | None = None) -> Outcome:
        """Pause beeps (optionally until *until*): future beeps are cancelled, an open one stays."""
        if participant.status is ParticipantStatus.PAUSED:
            return Outcome((message(MessageKey.ALREADY_PAUSED),), participant)
        previous = participant.status
        if previous not in ACTIVE_STATUSES | {ParticipantStatus.CONSENTED}:
            return self.ctx.refused(MessageKey.NOT_ACTIVE, participant, state=previous.value)
        cancelled = self.store.cancel_future_beeps(participant.id, after=self.ctx.now())
        participant = self.ctx.update(
            participant,
            status=ParticipantStatus.PAUSED,
            status_before_pause=previous,
            paused_until=until,
        )
        iso = until.isoformat() if until else None
        self.ctx.event(
            "paused", participant.id, until=iso, cancelled=cancelled, previous=previous.value
        )
        return Outcome((message(MessageKey.PAUSED, until=iso),), participant)

    @gated()
    def resume(self, participant: Participant) -> Outcome:
        """Resume after a pause: the rest of today and the coming days are planned again."""
        if participant.status is not ParticipantStatus.PAUSED:
            return Outcome((message(MessageKey.NOT_PAUSED),), participant)
        participant = self._resume(participant, self.ctx.now())
        return Outcome((message(MessageKey.RESUMED),), participant)

    def _resume(self, participant: Participant, now: dt.datetime) -> Participant:
        previous = participant.status_before_pause or ParticipantStatus.TRAINING
        updated = self.ctx.update(
            participant, status=previous, status_before_pause=None, paused_until=None
        )
        replanned = planning.replan(self.ctx, updated, now) if previous in ACTIVE_STATUSES else 0
        self.ctx.event("resumed", participant.id, replanned=replanned)
        return updated

    @gated(need_consent=False)
    def withdraw(self, participant: Participant) -> Outcome:
        """Leave the study: no more beeps; the data stay unless :meth:`delete_data` is called."""
        after = self.ctx.now() - dt.timedelta(days=1)
        cancelled = self.store.cancel_future_beeps(participant.id, after=after)
        updated = self.ctx.update(participant, status=ParticipantStatus.WITHDRAWN)
        previous = participant.status.value
        self.ctx.event("withdrawn", participant.id, previous=previous, cancelled=cancelled)
        return Outcome((message(MessageKey.WITHDRAWN),), updated)

    def delete_data(self, telegram_id: int) -> Outcome:
        """Erase the participant's data on request (a tombstone keeps only the pseudonymous id)."""
        participant = self.ctx.participant(telegram_id)
        if participant is None:
            return self.ctx.refused(MessageKey.NOT_REGISTERED)
        counts = dict(self.store.delete_participant_data(participant.id))
        self.ctx.event("data_deleted", participant.id, counts=counts)
        return Outcome((message(MessageKey.DELETE_DONE, deleted=counts),), None)

    def await_answer(self, telegram_id: int, step: str | None) -> Participant:
        """Store which question the participant's next text answers (``None``: none)."""
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
        """Store counts plus the whole study's beeps answered (on time), late, expired, missed."""
        figures: dict[str, Any] = dict(self.store.counts())
        totals = [row for row in self.compliance() if row.local_date is None]
        for name in ("answered", "late", "expired", "missed"):
            figures[f"beeps_{name}"] = sum(getattr(row, name) for row in totals)
        return figures

    @gated(need_consent=False)
    def status(self, participant: Participant) -> Outcome:
        """``/status``: day, beeps answered and missed, average quality, progress to threshold."""
        now = self.ctx.now()
        today = self.ctx.local_today(participant, now)
        first_day = participant.training_start_date or participant.sampling_start_date
        if participant.status in ACTIVE_STATUSES and (first_day is None or today < first_day):
            waiting = self._plan_message(participant, now, MessageKey.STATUS_WAITING)
            return Outcome((waiting,), participant)
        beeps = self.store.beeps_for(participant.id)
        reports = self.store.reports_for(participant.id)
        total = analytics.compliance_rows(participant.id, beeps, reports)[-1]
        todays = [b for b in beeps if b.local_date == today and not analytics.is_practice(b)]
        average, threshold = participant.average_data_quality, self.config.quality_threshold
        training = participant.status is ParticipantStatus.TRAINING
        scored = len(analytics.best_attempts(reports))
        said = message(
            MessageKey.STATUS if scored else MessageKey.STATUS_NO_REPORTS,
            state=participant.status.value,
            day=participant.study_day,
            training_day=participant.current_training_day if training else 0,
            answered=total.answered,
            late=total.late,
            missed=total.expired + total.missed,
            average=average,
            threshold=threshold,
            progress=min(100, round(average / threshold * 100)) if threshold else 100,
            today_answered=sum(1 for b in todays if b.status is BeepStatus.ANSWERED),
            today_planned=sum(1 for b in todays if b.status is not BeepStatus.CANCELLED),
            reports=scored,
        )
        return Outcome((said,), participant)

    def phenomena_profile(self, participant_id: str) -> tuple[analytics.PhenomenonRow, ...]:
        """The participant's phenomena frequencies next to Heavey & Hurlburt (2008) norms."""
        reports = self.store.reports_for(participant_id)
        return analytics.phenomena_profile(analytics.best_attempts(reports))

    def compliance(self, participant_id: str | None = None) -> list[analytics.ComplianceRow]:
        """Compliance rows (per day, then a total) for one participant or everyone."""
        if participant_id is not None:
            ids = [participant_id]
        else:
            ids = [p.id for p in self.store.list_participants() if p.deleted_at is None]
        return [
            row
            for pid in ids
            for row in analytics.compliance_rows(
                pid, self.store.beeps_for(pid), self.store.reports_for(pid)
            )
        ]
