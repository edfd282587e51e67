"""Closing finished days once: training progression, sampling, completion."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs

from esm_bot.domain.models import (
    Beep,
    BeepStatus,
    Participant,
    ParticipantStatus,
    QualityRecord,
)
from esm_bot.study import analytics
from esm_bot.study.context import ACTIVE_STATUSES, CLOSED, StudyContext
from esm_bot.study.messages import MessageKey, message
from esm_bot.study.outcomes import (
    Action,
    ActionKind,
)
from esm_bot.study.progress import DayOutcome, DayResult, Progress, close_day

__all__ = ["DayCloser"]

#: Statuses in which the next day may still close (completed and withdrawn ones stop).
_CLOSING = ACTIVE_STATUSES | {ParticipantStatus.PAUSED}


@attrs.define
class DayCloser:
    """Closing finished days once: training progression, sampling, completion.

    Each day closes under the lease of its last beep and is recorded in the participant record,
    so it closes once across processes; the part itself keeps no state.
    """

    ctx: StudyContext
    #: How soon to look again at a day that could not close yet (the tick's maintenance period).
    look_again: dt.timedelta = dt.timedelta(minutes=1)

    def _day_close_time(self, beeps: list[Beep]) -> dt.datetime:
        last = max(b.sent_at or b.scheduled_at for b in beeps)
        return (
            last
            + self.ctx.config.late_send_grace
            + self.ctx.config.expiry
            + self.ctx.config.late_answer_window
            + self.ctx.config.retry_window
        )

    def close_days(
        self, participant: Participant, now: dt.datetime
    ) -> tuple[list[Action], dt.datetime | None]:
        """Close every finished day in order; return the notices and when the next day closes."""
        closed = participant.extra.get(CLOSED)
        since = None
        if closed is not None:
            since = dt.datetime.combine(dt.date.fromisoformat(closed), dt.time(), tzinfo=dt.UTC)
        by_day: dict[dt.date, list[Beep]] = {}
        for beep in self.ctx.store.beeps_for(participant.id, since=since):
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
                return actions, now + self.look_again
            participant, notices = outcome
            actions.extend(notices)
            if participant.status not in _CLOSING:
                break
        return actions, None

    def _close_one_day(
        self, participant: Participant, day: dt.date, beeps: list[Beep], now: dt.datetime
    ) -> tuple[Participant, list[Action]] | None:
        last = max(beeps, key=lambda b: (b.scheduled_at, b.index))
        lock = self.ctx.store.claim_beep(
            last.id, self.ctx.worker, now, self.ctx.config.claim_lease, status=last.status
        )
        if lock is None:
            return None  # another process is closing this day
        fresh = self.ctx.store.get_participant(participant.id)
        if fresh is None:
            return None
        closed = fresh.extra.get(CLOSED)
        if closed is not None and dt.date.fromisoformat(closed) >= day:
            return fresh, []
        # The day_closed events are the record of truth: the marker in ``extra`` is only a fast
        # path, and another writer replacing ``extra`` with an older copy must not make a day
        # close twice.
        history = list(self.ctx.store.iter_events(participant_id=fresh.id, kind="day_closed"))
        if any(e.data.get("day") == day.isoformat() for e in history):
            self.ctx.store.update_beep(last.id, claimed_by=None, claim_until=None)
            return self.ctx.update(fresh, extra={**fresh.extra, CLOSED: day.isoformat()}), []
        reports = self.ctx.store.reports_for(fresh.id)
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
            sampling_days_done=sum(1 for e in history if e.data.get("outcome") == "sampled"),
        )
        result, after = close_day(
            self.ctx.config, progress, [r.score or 0 for r in best], delivered
        )
        extra = {**fresh.extra, CLOSED: day.isoformat()}
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
        updated = self.ctx.update(fresh, **changes)
        self.ctx.store.update_beep(last.id, claimed_by=None, claim_until=None)
        self.ctx.event(
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
            self.ctx.store.cancel_future_beeps(participant.id, after=now)
            self.ctx.event("study_completed", participant.id)
            return
        self.ctx.event("training_completed", participant.id)
        self._relabel_future(participant, now)

    def _relabel_future(self, participant: Participant, now: dt.datetime) -> None:
        training = participant.status is ParticipantStatus.TRAINING or (
            participant.status_before_pause is ParticipantStatus.TRAINING
            and participant.status is ParticipantStatus.PAUSED
        )
        for beep in self.ctx.store.beeps_for(participant.id, since=now):
            if beep.status is BeepStatus.SCHEDULED and beep.training != training:
                self.ctx.store.update_beep(
                    beep.id, if_status=[BeepStatus.SCHEDULED], training=training
                )

    def _day_notices(
        self, participant: Participant, result: DayResult, after: Progress
    ) -> list[Action]:
        def notice(key: MessageKey, **params: Any) -> Action:
            return self.ctx.action(ActionKind.NOTIFY, participant, message(key, **params))

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
                    MessageKey.DAY_REPEAT,
                    focus=self.ctx.config.focus(result.training_day),
                    **common,
                )
            )
        elif result.outcome in (DayOutcome.PASSED, DayOutcome.ADVANCED):
            key = (
                MessageKey.DAY_PASSED
                if result.outcome is DayOutcome.PASSED
                else MessageKey.DAY_ADVANCED
            )
            if after.training_completed and result.training_day >= self.ctx.config.training_days:
                notices.append(
                    notice(
                        MessageKey.TRAINING_COMPLETE,
                        average=participant.average_data_quality,
                        threshold=self.ctx.config.quality_threshold,
                        sampling_days=self.ctx.config.sampling_days,
                    )
                )
            else:
                notices.append(
                    notice(
                        key,
                        next_day=after.training_day,
                        focus=self.ctx.config.focus(after.training_day),
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
