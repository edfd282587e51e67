"""An in-memory StudyPort for the Telegram-layer tests (pure logic; the engine is tested apart)."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import attrs

from esm_bot.domain.models import AddressForm, Beep, Participant, ParticipantStatus
from esm_bot.ports import AWAITING_KEY, Due, Say

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


class FakeStudy:
    """Records calls; participants keyed by Telegram id; reports stored once per dedup key."""

    def __init__(self) -> None:
        self.people: dict[int, Participant] = {}
        self.reports: dict[str, str] = {}
        self.due: list[Due] = []
        self.sent_log: list[tuple[str, int | None]] = []
        self.unsent_log: list[tuple[str, str]] = []
        self.lost_claims: set[str] = set()
        self.unreachable_chats: list[int] = []
        self.practice_open: set[str] = set()
        self.practice_messages: list[tuple[str, int | None]] = []
        self.declined: list[str] = []
        self.lock = threading.Lock()

    def _by_id(self, pid: str) -> Participant:
        return next(p for p in self.people.values() if p.id == pid)

    def _set(self, pid: str, **changes: Any) -> Participant:
        with self.lock:
            p = attrs.evolve(self._by_id(pid), **changes)
            self.people[p.telegram_id or 0] = p
            return p

    def participant(self, telegram_id: int) -> Participant | None:
        return self.people.get(telegram_id)

    def register(self, telegram_id: int, chat_id: int, lang: str) -> Participant:
        with self.lock:
            if telegram_id not in self.people:
                self.people[telegram_id] = Participant(
                    id=f"p{telegram_id}",
                    created_at=NOW,
                    telegram_id=telegram_id,
                    chat_id=chat_id,
                    lang=lang,
                )
            return self.people[telegram_id]

    def consent(self, participant_id: str) -> Participant:
        return self._set(
            participant_id,
            consent_version="1",
            consented_at=NOW,
            status=ParticipantStatus.CONSENTED,
        )

    def decline(self, participant_id: str) -> None:
        self.declined.append(participant_id)

    def consent_version(self) -> str:
        return "1"

    def training_days(self) -> int:
        return 3

    def set_language(self, participant_id: str, lang: str) -> Participant:
        return self._set(participant_id, lang=lang)

    def set_address_form(self, participant_id: str, form: str) -> Participant:
        return self._set(participant_id, address_form=AddressForm(form))

    def set_timezone(self, participant_id: str, text: str) -> Participant:
        from esm_bot.domain.schedule import parse_timezone

        return self._set(participant_id, tz=parse_timezone(text))

    def set_window(self, participant_id: str, start: dt.time, end: dt.time) -> Participant:
        if start == end:
            raise ValueError("start and end are the same.")
        return self._set(participant_id, window_start=start, window_end=end)

    def set_beeps_per_day(self, participant_id: str, n: int) -> Participant:
        if not 1 <= n <= 10:
            raise ValueError("1..10")
        return self._set(participant_id, beeps_per_day=n)

    def beeps_range(self) -> tuple[int, int, int]:
        return 1, 10, 6

    def set_awaiting(self, participant_id: str, step: str | None) -> Participant:
        extra = {k: v for k, v in self._by_id(participant_id).extra.items() if k != AWAITING_KEY}
        if step is not None:
            extra[AWAITING_KEY] = step
        return self._set(participant_id, extra=extra)

    def begin(self, participant_id: str) -> Participant:
        return self._set(participant_id, status=ParticipantStatus.TRAINING, current_training_day=1)

    def practice(self, participant_id: str) -> Say:
        self.practice_open.add(participant_id)
        return Say("beep_practice", {"beep_id": f"{participant_id}:practice"})

    def practice_sent(self, say: Say, message_id: int | None) -> None:
        self.practice_messages.append((str(say.params["beep_id"]), message_id))

    def report(self, participant_id: str, text: str, *, dedup_key: str) -> list[Say]:
        with self.lock:
            if dedup_key in self.reports:
                return []
            self.reports[dedup_key] = text
        if len(text) > 4000:
            return [Say("too_long", {"length": len(text), "limit": 4000})]
        params = {"day": 1, "score": 55, "quality": "poor", "strengths": ["concrete"], "tip": ""}
        return [Say("feedback_training", {**params, "focus": "moment_capture"})]

    def pause(self, participant_id: str) -> Say:
        p = self._by_id(participant_id)
        if p.status is ParticipantStatus.PAUSED:
            return Say("already_paused")
        self._set(participant_id, status=ParticipantStatus.PAUSED, status_before_pause=p.status)
        return Say("paused")

    def resume(self, participant_id: str) -> Say:
        p = self._by_id(participant_id)
        if p.status is not ParticipantStatus.PAUSED:
            return Say("not_paused")
        self._set(participant_id, status=p.status_before_pause or ParticipantStatus.TRAINING)
        return Say("resumed")

    def withdraw(self, participant_id: str) -> Say:
        self._set(participant_id, status=ParticipantStatus.WITHDRAWN)
        return Say("withdrawn")

    def delete(self, participant_id: str) -> None:
        p = self._by_id(participant_id)
        with self.lock:
            del self.people[p.telegram_id or 0]

    def status(self, participant_id: str) -> Say:
        p = self._by_id(participant_id)
        params = {"state": str(p.status), "day": 1, "answered": len(self.reports), "missed": 0}
        return Say("status", {**params, "average": 55.0, "threshold": 70, "progress": 78})

    def tick(self, now: dt.datetime) -> list[Due]:
        with self.lock:
            due, self.due = self.due, []
        active = {p.chat_id for p in self.people.values() if p.active}
        return [d for d in due if d.chat_id in active]

    def still_ours(self, due: Due, now: dt.datetime) -> bool:
        return due.beep is None or due.beep.id not in self.lost_claims

    def sent(self, due: Due, message_id: int | None, now: dt.datetime) -> None:
        assert due.beep is not None
        self.sent_log.append((due.beep.id, message_id))

    def unsent(self, due: Due, reason: str, now: dt.datetime, *, blocked: bool = False) -> None:
        assert due.beep is not None
        self.unsent_log.append((due.beep.id, reason))

    def unreachable(self, chat_id: int) -> None:
        self.unreachable_chats.append(chat_id)
        for p in list(self.people.values()):
            if p.chat_id == chat_id:
                self._set(p.id, active=False)

    def stats(self) -> dict[str, Any]:
        return {"participants": len(self.people), "reports": len(self.reports)}

    def add_due(self, telegram_id: int, kind: str = "beep", index: int = 0) -> Due:
        p = self.people[telegram_id]
        beep = Beep(
            id=f"{p.id}:2026-03-02:{index}",
            participant_id=p.id,
            local_date=NOW.date(),
            index=index,
            scheduled_at=NOW,
        )
        due = Due(kind, p.chat_id, p.lang, str(p.address_form), Say(kind), beep)
        self.due.append(due)
        return due
