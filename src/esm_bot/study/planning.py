"""Planning whole days ahead, and re-planning only the future after a change."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable

from esm_bot.domain.models import Beep, BeepStatus, Participant, ParticipantStatus, beep_id
from esm_bot.domain.schedule import ScheduleError, plan_day, window_bounds
from esm_bot.study import analytics
from esm_bot.study.context import CLOSED, SEED, StudyContext

__all__ = ["day_plan", "plan_ahead", "replan"]

#: How soon after a settings change a re-planned beep may come.
_REPLAN_LEAD = dt.timedelta(minutes=1)


def _study_dates(ctx: StudyContext, participant: Participant, now: dt.datetime) -> list[dt.date]:
    first = participant.training_start_date or participant.sampling_start_date
    if first is None:
        return []
    begin = max(first, ctx.local_today(participant, now))
    closed = participant.extra.get(CLOSED)
    if closed is not None:
        begin = max(begin, dt.date.fromisoformat(closed) + dt.timedelta(days=1))
    return [begin + dt.timedelta(days=k) for k in range(ctx.config.plan_ahead_days)]


def day_plan(ctx: StudyContext, participant: Participant, day: dt.date) -> list[dt.datetime]:
    """The day's beep times: deterministic for the participant's seed (else their id, for a
    record imported from the original MSE bot) and settings."""
    p = participant
    min_gap = ctx.config.min_gap
    seed = (
        f"{p.extra.get(SEED) or p.id}|{day.isoformat()}|{p.tz}|{p.window_start.isoformat()}"
        f"|{p.window_end.isoformat()}|{p.beeps_per_day}|{min_gap.total_seconds()}"
    )
    args = (day, p.tz, p.window_start, p.window_end, p.beeps_per_day)
    try:
        return plan_day(*args, min_gap=min_gap, rng=random.Random(seed))
    except ScheduleError as exc:
        if exc.code != "schedule.too_many_beeps":
            ctx.event("day_not_planned", p.id, day=day.isoformat(), code=exc.code)
            return []
    # A DST day shortened the window: keep n beeps, as far apart as the day allows.
    gap = window_bounds(*args[:4]).length / p.beeps_per_day
    gap = dt.timedelta(seconds=int(gap.total_seconds()))
    return plan_day(*args, min_gap=gap, rng=random.Random(seed))


def _beeps_for_days(
    ctx: StudyContext, participant: Participant, days: Iterable[dt.date], not_before: dt.datetime
) -> list[Beep]:
    training = participant.status is ParticipantStatus.TRAINING
    first = participant.training_start_date or participant.sampling_start_date or dt.date.min
    return [
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
        for day in days
        for index, at in enumerate(day_plan(ctx, participant, day))
        if at >= not_before
    ]


def plan_ahead(ctx: StudyContext, participant: Participant, now: dt.datetime) -> int:
    """Store the plan of the coming days that have none yet; return beeps written."""
    days = _study_dates(ctx, participant, now)
    if not days:
        return 0
    start = dt.datetime.combine(days[0] - dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    planned = {
        b.local_date
        for b in ctx.store.beeps_for(participant.id, since=start)
        if not analytics.is_practice(b)
    }
    missing = [d for d in days if d not in planned]
    if not missing:
        return 0
    beeps = _beeps_for_days(ctx, participant, missing, now)
    written = ctx.store.upsert_beeps(beeps)
    for day in missing:
        ctx.event(
            "schedule_planned",
            participant.id,
            event_id=f"planned:{participant.id}:{day.isoformat()}:{participant.tz}",
            day=day.isoformat(),
            tz=participant.tz,
        )
    return written


def replan(ctx: StudyContext, participant: Participant, now: dt.datetime) -> int:
    """Cancel future unsent beeps and plan the coming days again from now; return beeps."""
    ctx.store.cancel_future_beeps(participant.id, after=now)
    recent = ctx.store.beeps_for(participant.id, since=now - dt.timedelta(days=2))
    # Beeps sent, and beeps already due (about to be sent by a tick): new ones keep the gap.
    going_out = [
        b.sent_at or b.scheduled_at
        for b in recent
        if not analytics.is_practice(b)
        and (b.sent_at is not None or (b.status is BeepStatus.SCHEDULED and b.scheduled_at <= now))
    ]
    not_before = now + _REPLAN_LEAD
    if going_out:
        not_before = max(not_before, max(going_out) + ctx.config.min_gap)
    # A beep that is not cancelled (sent, answered, or due and about to go out) keeps its id.
    kept = {b.id for b in recent if b.status is not BeepStatus.CANCELLED}
    days = _study_dates(ctx, participant, now)
    beeps = [b for b in _beeps_for_days(ctx, participant, days, not_before) if b.id not in kept]
    written = ctx.store.upsert_beeps(beeps, replace_unsent=True)
    ctx.event("schedule_replanned", participant.id, beeps=written, tz=participant.tz)
    return written
