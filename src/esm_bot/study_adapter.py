"""Fits the study engine (:class:`esm_bot.study.Study`) to the bot's StudyPort seam.

The engine is keyed by Telegram user id and answers with :class:`~esm_bot.study.Outcome` values; the
handlers work with :class:`~esm_bot.domain.models.Participant` records and
:class:`~esm_bot.ports.Say` messages. This module only translates: no decisions are made here.
A refused settings change (``outcome.ok`` False) becomes a :class:`ValueError` carrying the
engine's reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from esm_bot.domain.config import StudyConfig
from esm_bot.domain.models import Participant
from esm_bot.ports import AWAITING_KEY, Due, Say
from esm_bot.study import Action, ActionKind, Outcome, Study

__all__ = ["StudyAdapter"]

_KINDS = {
    ActionKind.SEND_BEEP: "beep",
    ActionKind.SEND_REMINDER: "reminder",
    ActionKind.EXPIRE_BEEP: "expire",
    ActionKind.NOTIFY: "notify",
}


def _says(outcome: Outcome) -> list[Say]:
    return [Say(str(m.key), dict(m.params)) for m in outcome.messages]


def _first(outcome: Outcome, fallback: str) -> Say:
    says = _says(outcome)
    return says[0] if says else Say(fallback)


class StudyAdapter:
    """A :class:`~esm_bot.ports.StudyPort` over a :class:`~esm_bot.study.Study`."""

    def __init__(self, study: Study) -> None:
        self.study = study

    @classmethod
    def from_env(cls, environ: Mapping[str, str], *, store: Any, validator: Any) -> StudyAdapter:
        """Build the engine with :meth:`StudyConfig.from_env` over ``store`` and ``validator``."""
        return cls(Study(store, validator, StudyConfig.from_env(environ)))

    # ------------------------------------------------------------------ helpers
    def _tg(self, participant_id: str) -> int:
        found = self.study.store.get_participant(participant_id)
        if found is None or found.telegram_id is None:
            msg = "unknown participant"
            raise LookupError(msg)
        return found.telegram_id

    @staticmethod
    def _checked(outcome: Outcome) -> Participant:
        if not outcome.ok or outcome.participant is None:
            reason = next((str(m.params.get("reason", "")) for m in outcome.messages), "")
            raise ValueError(reason or (str(outcome.messages[0].key) if outcome.messages else ""))
        return outcome.participant

    # ------------------------------------------------------------------ onboarding and settings
    def participant(self, telegram_id: int) -> Participant | None:
        """See :meth:`StudyPort.participant`."""
        return self.study.participant(telegram_id)

    def register(self, telegram_id: int, chat_id: int, lang: str) -> Participant:
        """See :meth:`StudyPort.register`."""
        return self._checked(self.study.register(telegram_id, chat_id, lang))

    def consent(self, participant_id: str) -> Participant:
        """See :meth:`StudyPort.consent`."""
        return self._checked(self.study.consent(self._tg(participant_id)))

    def decline(self, participant_id: str) -> None:
        """See :meth:`StudyPort.decline`."""
        self.study.decline_consent(self._tg(participant_id))

    def consent_version(self) -> str:
        """See :meth:`StudyPort.consent_version`."""
        return self.study.config.consent_version

    def training_days(self) -> int:
        """See :meth:`StudyPort.training_days`."""
        return self.study.config.training_days

    def beeps_range(self) -> tuple[int, int, int]:
        """See :meth:`StudyPort.beeps_range`."""
        c = self.study.config
        return c.min_beeps_per_day, c.max_beeps_per_day, c.beeps_per_day

    def set_language(self, participant_id: str, lang: str) -> Participant:
        """See :meth:`StudyPort.set_language`."""
        return self._checked(self.study.set_language(self._tg(participant_id), lang))

    def set_address_form(self, participant_id: str, form: str) -> Participant:
        """See :meth:`StudyPort.set_address_form`."""
        return self._checked(self.study.set_address_form(self._tg(participant_id), form))

    def set_timezone(self, participant_id: str, text: str) -> Participant:
        """See :meth:`StudyPort.set_timezone`."""
        return self._checked(self.study.set_timezone(self._tg(participant_id), text))

    def set_window(self, participant_id: str, start: dt.time, end: dt.time) -> Participant:
        """See :meth:`StudyPort.set_window`."""
        return self._checked(self.study.set_window(self._tg(participant_id), start, end))

    def set_beeps_per_day(self, participant_id: str, n: int) -> Participant:
        """See :meth:`StudyPort.set_beeps_per_day`."""
        return self._checked(self.study.set_beeps_per_day(self._tg(participant_id), n))

    def set_awaiting(self, participant_id: str, step: str | None) -> Participant:
        """See :meth:`StudyPort.set_awaiting` (conversation state of the bot, not the protocol)."""
        store = self.study.store
        current = store.get_participant(participant_id)
        if current is None:
            msg = "unknown participant"
            raise LookupError(msg)
        extra = {k: v for k, v in current.extra.items() if k != AWAITING_KEY}
        if step is not None:
            extra[AWAITING_KEY] = step
        if extra == dict(current.extra):
            return current
        return store.update_participant(participant_id, extra=extra)

    def begin(self, participant_id: str) -> Participant:
        """See :meth:`StudyPort.begin`."""
        return self._checked(self.study.start(self._tg(participant_id)))

    # ------------------------------------------------------------------ reports and commands
    def practice(self, participant_id: str) -> Say:
        """See :meth:`StudyPort.practice`."""
        return _first(self.study.practice(self._tg(participant_id)), "beep_practice")

    def practice_sent(self, say: Say, message_id: int | None) -> None:
        """See :meth:`StudyPort.practice_sent`."""
        beep_id = say.params.get("beep_id")
        if beep_id and message_id is not None:
            self.study.beep_sent(str(beep_id), message_id)

    def report(self, participant_id: str, text: str, *, dedup_key: str) -> list[Say]:
        """See :meth:`StudyPort.report`."""
        return _says(self.study.handle_text(self._tg(participant_id), text, dedup_key=dedup_key))

    def pause(self, participant_id: str) -> Say:
        """See :meth:`StudyPort.pause`."""
        return _first(self.study.pause(self._tg(participant_id)), "paused")

    def resume(self, participant_id: str) -> Say:
        """See :meth:`StudyPort.resume`."""
        return _first(self.study.resume(self._tg(participant_id)), "resumed")

    def withdraw(self, participant_id: str) -> Say:
        """See :meth:`StudyPort.withdraw`."""
        return _first(self.study.withdraw(self._tg(participant_id)), "withdrawn")

    def delete(self, participant_id: str) -> None:
        """See :meth:`StudyPort.delete`."""
        self.study.delete_data(self._tg(participant_id))

    def status(self, participant_id: str) -> Say:
        """See :meth:`StudyPort.status`."""
        return _first(self.study.status(self._tg(participant_id)), "not_registered")

    # ------------------------------------------------------------------ scheduler
    def tick(self, now: dt.datetime) -> list[Due]:
        """See :meth:`StudyPort.tick`."""
        return [self._due(action) for action in self.study.tick(now)]

    @staticmethod
    def _due(action: Action) -> Due:
        say = Say(str(action.message.key), dict(action.message.params))
        kind = _KINDS.get(action.kind, "notify")
        return Due(kind, action.chat_id, action.lang, action.address_form, say, action.beep, action)

    def still_ours(self, due: Due, now: dt.datetime) -> bool:
        """See :meth:`StudyPort.still_ours`: beeps renew their lease; other messages always go."""
        if due.kind == "beep" and due.beep is not None:
            return self.study.renew_claim(due.beep.id, now)
        return True

    def sent(self, due: Due, message_id: int | None, now: dt.datetime) -> None:
        """See :meth:`StudyPort.sent`."""
        if due.kind == "beep" and due.beep is not None:
            self.study.beep_sent(due.beep.id, message_id, at=now)

    def unsent(self, due: Due, reason: str, now: dt.datetime, *, blocked: bool = False) -> None:
        """See :meth:`StudyPort.unsent`."""
        if due.kind == "beep" and due.beep is not None:
            self.study.beep_failed(due.beep.id, blocked=blocked, reason=reason)

    def unreachable(self, chat_id: int) -> None:
        """See :meth:`StudyPort.unreachable`."""
        self.study.mark_unreachable(chat_id)

    def stats(self) -> Mapping[str, Any]:
        """Store counts plus study-wide compliance."""
        figures: dict[str, Any] = dict(self.study.store.counts())
        rows = self.study.compliance()
        if rows:
            total = rows[-1]
            for name in ("answered", "late", "expired", "missed"):
                value = getattr(total, name, None)
                if value is not None:
                    figures[f"beeps_{name}"] = value
        return figures
