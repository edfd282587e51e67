"""Local, rule-based validation (placeholder until the rule engine lands)."""

from __future__ import annotations

from .._types import Assessment, quality_from_score


def validate(text: str, *, lang: str | None = None, training_day: int | None = None) -> Assessment:
    """Assess one report with the local rules (placeholder: scores by nothing)."""
    score = 50 if text.strip() else 0
    return Assessment(
        score=score,
        quality=quality_from_score(score),
        phenomena=frozenset(),
        issues=(),
        feedback="",
        lang=lang or "en",
    )
