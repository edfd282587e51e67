"""Helpers for the study engine tests: a wall clock, a scripted validator, and a driver.

The validator is a pure-logic stand-in (scores are read from the text, so a test says exactly what
each report is worth); the stores are the real ones.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from esm_bot.domain.models import BeepStatus
from esm_bot.study import Action, ActionKind, Study
from esm_validate import Assessment, Issue, quality_from_score

_SCORE = re.compile(r"\[(\d{1,3})\]")
_TAGS = re.compile(r"<(\w+)>")


class WallClock:
    """A UTC wall clock that moves only when told to."""

    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)

    def set(self, when: dt.datetime) -> None:
        assert when >= self.now, "the clock never goes back"
        self.now = when


@attrs.define
class ScriptedValidator:
    """Scores ``[NN]`` from the text; ``<code>`` tags become issues or phenomena.

    Records every call so tests can check what was validated with which training day.
    """

    calls: list[dict[str, Any]] = attrs.field(factory=list)
    fallback_reason: str | None = None
    retry_after: float | None = None
    fail_with: Exception | None = None

    def validate(
        self,
        text: str,
        *,
        user_id: str | None = None,
        training_day: int | None = None,
        lang: str | None = None,
    ) -> Assessment:
        self.calls.append(
            {"text": text, "user_id": user_id, "training_day": training_day, "lang": lang}
        )
        if self.fail_with is not None:
            raise self.fail_with
        match = _SCORE.search(text)
        score = int(match[1]) if match else 50
        tags = _TAGS.findall(text)
        phenomena = frozenset(t for t in tags if t in _PHENOMENA)
        issues = tuple(Issue(t, f"issue {t}") for t in tags if t not in _PHENOMENA)
        return Assessment(
            score=score,
            quality=quality_from_score(score),
            phenomena=phenomena,
            issues=issues,
            feedback=f"tip for day {training_day}",
            lang=lang or "en",
            strengths=("specific",) if score >= 60 else (),
            fallback_reason=self.fallback_reason,
            retry_after=self.retry_after,
            version="scripted-1",
        )

    def stats(self) -> Mapping[str, Any]:
        return {"calls": len(self.calls)}


_PHENOMENA = frozenset(
    {"inner_speech", "inner_seeing", "unsymbolized_thinking", "feeling", "sensory_awareness"}
)


@attrs.define
class Driver:
    """Steps a study through time like the bot would: tick, send, confirm delivery.

    Attributes:
        study: The engine.
        clock: Its clock.
        actions: Every action ever returned, in order.
        on_beep: Called with each beep action after delivery is confirmed (schedule answers).
    """

    study: Study
    clock: WallClock
    actions: list[Action] = attrs.field(factory=list)
    on_beep: Callable[[Action], None] | None = None
    pending: list[tuple[dt.datetime, Callable[[], object]]] = attrs.field(factory=list)
    message_ids: int = 1000

    def at(self, when: dt.datetime, do: Callable[[], object]) -> None:
        """Run *do* when the clock reaches *when*."""
        self.pending.append((when, do))
        self.pending.sort(key=lambda item: item[0])

    def _step(self) -> dt.timedelta:
        """One minute when anything may happen within 20 minutes, else ten (a quiet night)."""
        soon = self.clock.now + dt.timedelta(minutes=20)
        store = self.study.store
        busy = (
            (self.pending and self.pending[0][0] <= soon)
            or store.beeps_in_status(BeepStatus.SENT, limit=1)
            or store.due_beeps(soon, limit=1)
        )
        return dt.timedelta(minutes=1 if busy else 10)

    def run_until(self, end: dt.datetime) -> None:
        """Tick until *end*, delivering beeps and running scheduled answers.

        Steps are one minute whenever a beep, reminder, expiry or answer is near, so every
        timing is exact to the minute; quiet hours are crossed in ten-minute steps.
        """
        while self.clock.now < end:
            self.clock.advance(seconds=self._step().total_seconds())
            while self.pending and self.pending[0][0] <= self.clock.now:
                _, do = self.pending.pop(0)
                do()
            for action in self.study.tick():
                self.actions.append(action)
                if action.kind is ActionKind.SEND_BEEP:
                    assert action.beep is not None
                    self.message_ids += 1
                    self.study.beep_sent(action.beep.id, self.message_ids)
                    if self.on_beep is not None:
                        self.on_beep(action)

    def kinds(self, kind: ActionKind) -> list[Action]:
        """The actions of one kind, in order."""
        return [a for a in self.actions if a.kind is kind]
