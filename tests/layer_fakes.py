"""Test doubles for the layer tests: a scriptable AI validator (pure logic, no network)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from esm_validate import Assessment, quality_from_score


def ai_assessment(score: int = 80, *, provider: str = "fake", model: str = "fake-1") -> Assessment:
    """An assessment as an AI validator would return it."""
    return Assessment(
        score=score,
        quality=quality_from_score(score),
        phenomena=frozenset({"inner_speech"}),
        issues=(),
        feedback="Good: you described the moment of the beep.",
        lang="en",
        source="ai",
        provider=provider,
        model=model,
    )


Outcome = Assessment | BaseException | Callable[[str], Assessment]


class FakeAI:
    """Answers from a script of outcomes (an Assessment, an exception to raise, or a function).

    When the script runs out, the last outcome repeats. Records every call; thread-safe.
    """

    def __init__(
        self,
        outcomes: Iterable[Outcome] = (),
        *,
        provider: str = "fake",
        model: str = "fake-1",
    ) -> None:
        self.outcomes = list(outcomes) or [ai_assessment(provider=provider, model=model)]
        self.provider = provider
        self.model = model
        self.calls: list[dict[str, Any]] = []
        self.closed = False
        self._lock = threading.Lock()

    @property
    def cache_identity(self) -> tuple[str, str, str, str]:
        return (self.provider, self.model, "prompt-1", "schema-1")

    def validate(
        self,
        text: str,
        *,
        user_id: str | None = None,
        training_day: int | None = None,
        lang: str | None = None,
    ) -> Assessment:
        with self._lock:
            index = len(self.calls)
            self.calls.append(
                {"text": text, "user_id": user_id, "training_day": training_day, "lang": lang}
            )
            outcome = self.outcomes[min(index, len(self.outcomes) - 1)]
        if isinstance(outcome, BaseException):
            raise outcome
        if callable(outcome) and not isinstance(outcome, Assessment):
            return outcome(text)
        return outcome

    def stats(self) -> Mapping[str, Any]:
        return {"fake_calls": len(self.calls)}

    def close(self) -> None:
        self.closed = True


def run_in_threads(target: Callable[[], object], count: int) -> None:
    """Run ``target`` in ``count`` threads at once and wait for all of them."""
    threads = [threading.Thread(target=target) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
