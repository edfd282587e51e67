"""Closing finished days once: the pure rule :func:`close_day`, applied by :func:`close_days`."""

from __future__ import annotations

import datetime as dt
import enum
import statistics
from collections.abc import Sequence
from typing import Any

import attrs

from esm_bot.domain.models import Beep, BeepStatus, Participant, ParticipantStatus, QualityRecord
from esm_bot.settings import StudyConfig
from esm_bot.study import analytics
from esm_bot.study.context import CLOSED, IN_STUDY, StudyContext
from esm_bot.study.outcomes import Action, ActionKind, MessageKey, message

__all__ = ["DayOutcome", "DayResult", "Progress", "close_day", "close_days"]

DayOutcome = enum.StrEnum("DayOutcome", "PASSED REPEAT ADVANCED SAMPLED SKIPPED")
"""How a closed day changed progress: a training day passed, is repeated, or fell short again
(the participant moves on); a sampling day counted; nothing was delivered (it does not count)."""


@attrs.frozen
class Progress:
    """The part of a participant's state that closed days change (``training_day`` is 1-based,
    the last one + 1 after training; ``study_day`` is counted days + 1)."""

    status: ParticipantStatus
    training_day: int
    day_repeats: int
    study_day: int
    training_completed: bool
    sampling_days_done: int


@attrs.frozen
class DayResult:
    """What closing one day found (``training_day`` 0 when sampling, ``average`` None without
    answers, ``pass_mark`` the one a training day needed)."""

    outcome: DayOutcome
    training_day: int
    average: float | None
    answered: int
    delivered: int
    pass_mark: int | None


def close_day(
    config: StudyConfig, progress: Progress, scores: Sequence[int], delivered: int
) -> tuple[DayResult, Progress]:
    """Close one day given its answered beeps' best *scores* and the beeps *delivered* (pure; the
    rule is in docs/study.md, "Training days")."""
    average = round(statistics.fmean(scores), 1) if scores else None
    answered = len(scores)
    training = progress.status is ParticipantStatus.TRAINING
    if delivered == 0 and not scores:
        day = progress.training_day if training else 0
        return DayResult(DayOutcome.SKIPPED, day, None, 0, 0, None), progress
    study_day = progress.study_day + 1
    if not training:
        done = progress.sampling_days_done + 1
        ended = done >= config.sampling_days
        status = ParticipantStatus.COMPLETED if ended else ParticipantStatus.SAMPLING
        result = DayResult(DayOutcome.SAMPLED, 0, average, answered, delivered, None)
        after = attrs.evolve(progress, status=status, sampling_days_done=done, study_day=study_day)
        return result, after
    day = progress.training_day
    mark = config.pass_mark(day)
    passed = answered >= config.min_reports_per_day and (average or 0) >= mark
    if not passed and progress.day_repeats < config.max_day_repeats:
        result = DayResult(DayOutcome.REPEAT, day, average, answered, delivered, mark)
        repeats = progress.day_repeats + 1
        return result, attrs.evolve(progress, day_repeats=repeats, study_day=study_day)
    outcome = DayOutcome.PASSED if passed else DayOutcome.ADVANCED
    result = DayResult(outcome, day, average, answered, delivered, mark)
    after = attrs.evolve(progress, training_day=day + 1, day_repeats=0, study_day=study_day)
    if day + 1 > config.training_days:
        sampling = config.sampling_days > 0
        status = ParticipantStatus.SAMPLING if sampling else ParticipantStatus.COMPLETED
        after = attrs.evolve(after, status=status, training_completed=True)
    return result, after


def close_days(
    ctx: StudyContext, participant: Participant, now: dt.datetime, look_again: dt.timedelta
) -> tuple[list[Action], dt.datetime | None]:
    """Close every finished day in order; return the notices and when the next day closes (or
    ``now + look_again`` for a day that could not close yet)."""
    config = ctx.config
    # A day waits for its last beep's send grace, answer, late answer and retry windows.
    wait = config.late_send_grace + config.expiry + config.late_answer_window + config.retry_window
    marker = participant.extra.get(CLOSED)
    closed = dt.date.fromisoformat(marker) if marker else dt.date.min
    since = dt.datetime.combine(closed, dt.time(), tzinfo=dt.UTC) if marker else None
    by_day: dict[dt.date, list[Beep]] = {}
    for beep in ctx.store.beeps_for(participant.id, since=since):
        if not analytics.is_practice(beep) and beep.local_date > closed:
            by_day.setdefault(beep.local_date, []).append(beep)
    actions: list[Action] = []
    for day in sorted(by_day):
        beeps = by_day[day]
        close_at = max(b.sent_at or b.scheduled_at for b in beeps) + wait
        if now < close_at:
            return actions, close_at
        outcome = None
        if not any(b.status is BeepStatus.SCHEDULED for b in beeps):
            outcome = _close_one_day(ctx, participant, day, beeps, now)
        if outcome is None:  # not sent yet, or another process is closing it: look again soon
            return actions, now + look_again
        participant, notices = outcome
        actions.extend(notices)
        if participant.status not in IN_STUDY:
            break
    return actions, None


def _close_one_day(
    ctx: StudyContext, participant: Participant, day: dt.date, beeps: list[Beep], now: dt.datetime
) -> tuple[Participant, list[Action]] | None:
    store = ctx.store
    last = max(beeps, key=lambda b: (b.scheduled_at, b.index))
    lease = ctx.config.claim_lease
    if store.claim_beep(last.id, ctx.worker, now, lease, status=last.status) is None:
        return None  # another process is closing this day
    fresh = store.get_participant(participant.id)
    if fresh is None:
        return None
    closed = fresh.extra.get(CLOSED)
    if closed is not None and dt.date.fromisoformat(closed) >= day:
        return fresh, []
    extra = {**fresh.extra, CLOSED: day.isoformat()}
    # The day_closed events are the record of truth: the marker in ``extra`` is only a fast
    # path, and another writer replacing ``extra`` with an older copy must not make a day
    # close twice.
    history = list(store.iter_events(participant_id=fresh.id, kind="day_closed"))
    if any(e.data.get("day") == day.isoformat() for e in history):
        store.update_beep(last.id, claimed_by=None, claim_until=None)
        return ctx.update(fresh, extra=extra), []
    day_ids = {b.id for b in beeps}
    best = [r for r in analytics.best_attempts(store.reports_for(fresh.id)) if r.beep_id in day_ids]
    paused = fresh.status is ParticipantStatus.PAUSED
    status = (fresh.status_before_pause or ParticipantStatus.TRAINING) if paused else fresh.status
    progress = Progress(
        status=status,
        training_day=fresh.current_training_day,
        day_repeats=fresh.day_repeats,
        study_day=fresh.study_day,
        training_completed=fresh.training_completed,
        sampling_days_done=sum(1 for e in history if e.data.get("outcome") == "sampled"),
    )
    delivered = sum(1 for b in beeps if b.sent_at is not None)
    scores = [r.score or 0 for r in best]
    result, after = close_day(ctx.config, progress, scores, delivered)
    changes: dict[str, Any] = {
        "extra": extra,
        "current_training_day": after.training_day,
        "day_repeats": after.day_repeats,
        "study_day": after.study_day,
        "training_completed": after.training_completed,
    }
    if result.outcome is not DayOutcome.SKIPPED:
        record = QualityRecord(day, result.average or 0.0, result.answered, progress.study_day)
        changes["quality_history"] = (*fresh.quality_history, record)
    if after.status is not status:
        changes["status_before_pause" if paused else "status"] = after.status
        if after.status is ParticipantStatus.SAMPLING:
            changes["sampling_start_date"] = day + dt.timedelta(days=1)
    updated = ctx.update(fresh, **changes)
    store.update_beep(last.id, claimed_by=None, claim_until=None)
    ctx.event(
        "day_closed",
        updated.id,
        event_id=f"day_closed:{updated.id}:{day.isoformat()}",
        day=day.isoformat(),
        **{**attrs.asdict(result), "outcome": result.outcome.value},
    )
    if after.status is ParticipantStatus.COMPLETED and status is not after.status:
        store.cancel_future_beeps(updated.id, after=now)
        ctx.event("study_completed", updated.id)
    else:
        if after.status is not status:
            ctx.event("training_completed", updated.id)
        # The coming beeps are training beeps or not as the participant (paused or not) now is.
        training = after.status is ParticipantStatus.TRAINING
        for beep in store.beeps_for(updated.id, since=now):
            if beep.status is BeepStatus.SCHEDULED and beep.training != training:
                store.update_beep(beep.id, if_status=[BeepStatus.SCHEDULED], training=training)
    return updated, _day_notices(ctx, updated, result, after)


def _day_notices(
    ctx: StudyContext, participant: Participant, result: DayResult, after: Progress
) -> list[Action]:
    config = ctx.config
    said = []
    common = {
        "day": result.training_day,
        "average": result.average,
        "pass_mark": result.pass_mark,
        "answered": result.answered,
    }
    if result.outcome is DayOutcome.REPEAT:
        focus = config.focus(result.training_day)
        said.append(message(MessageKey.DAY_REPEAT, focus=focus, **common))
    elif result.outcome in (DayOutcome.PASSED, DayOutcome.ADVANCED):
        if after.training_completed and result.training_day >= config.training_days:
            said.append(
                message(
                    MessageKey.TRAINING_COMPLETE,
                    average=participant.average_data_quality,
                    threshold=config.quality_threshold,
                    sampling_days=config.sampling_days,
                )
            )
        else:
            passed = result.outcome is DayOutcome.PASSED
            key = MessageKey.DAY_PASSED if passed else MessageKey.DAY_ADVANCED
            focus = config.focus(after.training_day)
            said.append(message(key, next_day=after.training_day, focus=focus, **common))
    if after.status is ParticipantStatus.COMPLETED:
        answered = sum(r.responses_count for r in participant.quality_history)
        days = len(participant.quality_history)
        said.append(message(MessageKey.STUDY_COMPLETE, answered=answered, days=days))
    return [Action(ActionKind.NOTIFY, participant, m) for m in said]
