"""Handing out due beeps once, reminders, expiry, and delivery results."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import attrs

from esm_bot.domain.models import Beep, BeepStatus, Participant, ParticipantStatus
from esm_bot.study import analytics
from esm_bot.study.context import ACTIVE_STATUSES, IN_STUDY, StudyContext
from esm_bot.study.outcomes import Action, ActionKind, MessageKey, message

__all__ = ["Delivery"]

#: The store fields of a beep's lease, cleared when the lease's work is done.
_RELEASE = {"claimed_by": None, "claim_until": None}


@attrs.define
class Delivery:
    """The tick's delivery phases and the sender's results (no state: leases live in the store)."""

    ctx: StudyContext

    def hand_out(
        self, now: dt.datetime, who: Callable[[str], Participant | None], actions: list[Action]
    ) -> None:
        """Append a ``send_beep`` action for each due beep this process wins the lease on."""
        store, config = self.ctx.store, self.ctx.config
        for candidate in store.due_beeps(now):
            beep = store.claim_beep(candidate.id, self.ctx.worker, now, config.claim_lease)
            if beep is None or beep.status is not BeepStatus.SCHEDULED:
                continue
            participant = who(beep.participant_id)
            if participant is None or not (
                participant.active and participant.status in ACTIVE_STATUSES
            ):
                store.update_beep(beep.id, status=BeepStatus.CANCELLED, **_RELEASE)
                continue
            if now - beep.scheduled_at > config.late_send_grace:
                store.update_beep(beep.id, status=BeepStatus.MISSED, **_RELEASE)
                reason = "not_sent_system"
                self.ctx.event("beep_missed", participant.id, beep_id=beep.id, reason=reason)
                continue
            training = participant.status is ParticipantStatus.TRAINING
            day = participant.current_training_day if training else 0
            said = message(
                MessageKey.BEEP,
                study_day=participant.study_day,
                training_day=day,
                focus=config.focus(day) if day else None,
            )
            actions.append(Action(ActionKind.SEND_BEEP, participant, said, beep))

    def remind_and_expire(
        self, now: dt.datetime, who: Callable[[str], Participant | None], actions: list[Action]
    ) -> None:
        """Append the expiries and the one reminder due among the sent beeps."""
        store, config = self.ctx.store, self.ctx.config
        for beep in store.beeps_in_status(BeepStatus.SENT, scheduled_before=now):
            participant = who(beep.participant_id)
            if beep.expires_at is not None and now >= beep.expires_at:
                expired = store.update_beep(
                    beep.id, if_status=[BeepStatus.SENT], status=BeepStatus.EXPIRED, **_RELEASE
                )
                if expired is None or participant is None:
                    continue
                self.ctx.event("beep_expired", participant.id, event_id=f"expired:{beep.id}")
                # Only a participant still in the study hears that a study beep expired.
                in_study = participant.status in IN_STUDY and participant.active
                if in_study and not analytics.is_practice(beep):
                    said = message(self._expiry_key(participant, beep, now))
                    actions.append(Action(ActionKind.EXPIRE_BEEP, participant, said, expired))
                continue
            reminder = config.reminder_after
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
            lease = config.claim_lease
            claimed = store.claim_beep(beep.id, self.ctx.worker, now, lease, status=BeepStatus.SENT)
            if claimed is None or claimed.reminder_sent_at is not None:
                continue
            reminded = store.update_beep(
                beep.id, if_status=[BeepStatus.SENT], reminder_sent_at=now, **_RELEASE
            )
            if reminded is None:
                continue
            self.ctx.event("reminder_sent", participant.id, event_id=f"reminder:{beep.id}")
            left = (beep.expires_at - now) if beep.expires_at else config.expiry
            minutes = max(1, round(left.total_seconds() / 60))
            said = message(MessageKey.REMINDER, minutes_left=minutes)
            actions.append(Action(ActionKind.SEND_REMINDER, participant, said, reminded))

    def _expiry_key(self, participant: Participant, beep: Beep, now: dt.datetime) -> MessageKey:
        """What the expiry note says comes next: more beeps today, on a later day, or none."""
        later = [
            b
            for b in self.ctx.store.beeps_for(participant.id, since=now)
            if b.status is BeepStatus.SCHEDULED
            and b.scheduled_at > now
            and not analytics.is_practice(b)
        ]
        if any(b.local_date == beep.local_date for b in later):
            return MessageKey.BEEP_EXPIRED
        return MessageKey.BEEP_EXPIRED_LAST if later else MessageKey.BEEP_EXPIRED_FINAL

    def beep_sent(
        self, beep_id: str, message_id: int | None = None, *, at: dt.datetime | None = None
    ) -> Beep | None:
        """Record that the beep was delivered (Telegram accepted it); starts its answer window."""
        sent_at = self.ctx.now(at)
        current = self.ctx.store.get_beep(beep_id)
        if current is None:
            return None
        if current.status is BeepStatus.SENT and current.sent_at is not None:
            return self.ctx.store.update_beep(beep_id, message_id=message_id)
        beep = self.ctx.store.update_beep(
            beep_id,
            if_status=[BeepStatus.SCHEDULED],
            status=BeepStatus.SENT,
            sent_at=sent_at,
            expires_at=sent_at + self.ctx.config.expiry,
            message_id=message_id,
            **_RELEASE,
        )
        if beep is not None:
            self.ctx.event(
                "beep_sent",
                beep.participant_id,
                event_id=f"sent:{beep_id}",
                beep_id=beep_id,
                late_send=(sent_at - beep.scheduled_at) > dt.timedelta(minutes=1),
            )
        return beep

    def renew_claim(self, beep_id: str, now: dt.datetime) -> bool:
        """Renew this process's lease on a due beep right before sending it (a slow batch could
        outlast it); False: another process owns the beep now and this one must not send it."""
        lease = self.ctx.config.claim_lease
        return self.ctx.store.claim_beep(beep_id, self.ctx.worker, now, lease) is not None

    def beep_failed(self, beep_id: str, *, blocked: bool = False, reason: str = "") -> Beep | None:
        """Record that sending failed: *blocked* (403) makes the participant unreachable, else
        the lease is released and the next tick tries again (until the grace runs out)."""
        beep = self.ctx.store.get_beep(beep_id)
        if beep is None:
            return None
        if not blocked:
            return self.ctx.store.update_beep(beep_id, **_RELEASE)
        updated = self.ctx.store.update_beep(
            beep_id, if_status=[BeepStatus.SCHEDULED], status=BeepStatus.MISSED, **_RELEASE
        )
        participant = self.ctx.store.get_participant(beep.participant_id)
        if participant is not None:
            self._mark_unreachable(participant, reason or "blocked")
        return updated

    def mark_unreachable(self, chat_id: int) -> Participant | None:
        """The participant in *chat_id* blocked the bot (403): stop beeping them."""
        for participant in self.ctx.store.list_participants():
            if participant.chat_id == chat_id and participant.deleted_at is None:
                return self._mark_unreachable(participant, "blocked")
        return None

    def _mark_unreachable(self, participant: Participant, reason: str) -> Participant:
        if not participant.active:  # a 403 on a beep is heard twice: by the sender, then here
            return participant
        after = self.ctx.now() - dt.timedelta(days=1)
        self.ctx.store.cancel_future_beeps(participant.id, after=after)
        updated = self.ctx.update(participant, active=False)
        self.ctx.event("unreachable", participant.id, reason=reason)
        return updated
