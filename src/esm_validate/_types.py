"""Value types shared by every part of :mod:`esm_validate`.

Everything here is a frozen attrs class or a constant: no I/O, no state.
"""

from __future__ import annotations

import enum
from typing import Final

import attrs

__all__ = [
    "ISSUE_CODES",
    "PHENOMENA",
    "QUALITY_LEVELS",
    "Assessment",
    "Decision",
    "Issue",
    "Severity",
    "quality_from_score",
]

#: Phenomenon codes (Heavey & Hurlburt 2008; the DES codebook).
#: Multi-label: a report may show several.
PHENOMENA: Final[tuple[str, ...]] = (
    "inner_speech",
    "inner_seeing",
    "unsymbolized_thinking",
    "feeling",
    "sensory_awareness",
    "inner_hearing",
    "just_doing",
)

#: Stable issue codes. Never rename one; add new ones at the end.
ISSUE_CODES: Final[tuple[str, ...]] = (
    "empty",
    "too_short",
    "avoidance",
    "generalization",
    "not_momentary",
    "theorizing",
    "hedging",
    "behavior_only",
    "unspecified_thinking",
    "reaction_to_beep",
    "abstract_label",
    "reading_inner_voice",
    "inferred",
    "presupposition",
)

#: Quality labels from worst to best, with the lowest score of each (as in the original MSE bot).
QUALITY_LEVELS: Final[tuple[tuple[str, int], ...]] = (
    ("garbage", 0),
    ("poor", 40),
    ("fair", 60),
    ("good", 70),
    ("excellent", 80),
    ("pristine", 90),
)


def quality_from_score(score: int) -> str:
    """Return the quality label for a 0..100 score (>=90 pristine ... <40 garbage)."""
    label = QUALITY_LEVELS[0][0]
    for name, lowest in QUALITY_LEVELS:
        if score >= lowest:
            label = name
    return label


class Severity(enum.StrEnum):
    """How much an issue matters for the report's fidelity."""

    #: The report misses the target (nothing usable about the moment).
    ERROR = "error"
    #: The report is usable but a DES interviewer would probe this.
    WARNING = "warning"
    #: Worth a follow-up question, not a fault (e.g. an inner voice while reading).
    INFO = "info"


def _span_ok(
    _inst: object, _attr: attrs.Attribute[tuple[int, int] | None], value: tuple[int, int] | None
) -> None:
    if value is not None and not (0 <= value[0] <= value[1]):
        raise ValueError(f"span must be (start, end) with 0 <= start <= end, got {value!r}")


# Not slotted: a frozen slotted class sets each field through object.__setattr__ (a call per
# field, about 1,000 instructions each on Python 3.11), a frozen plain one writes its __dict__
# directly. The local validator builds one per issue found.
@attrs.frozen(slots=False)
class Issue:
    """One problem found in a report.

    Attributes:
        code: A stable code from :data:`ISSUE_CODES` (or a custom rule's own code).
        message: A short explanation in the report's language.
        severity: How much it matters.
        span: Character offsets ``(start, end)`` of the evidence in the text, if any.
        evidence_only: True for an issue that only the local rules found while an AI model judged
            the report: it is kept as evidence (at ``INFO``) but the model did not confirm it, so
            it is never the :attr:`Assessment.main_issue`.
    """

    code: str
    message: str
    severity: Severity = Severity.WARNING
    span: tuple[int, int] | None = attrs.field(default=None, validator=_span_ok)
    evidence_only: bool = False


def _score_ok(_inst: object, _attr: attrs.Attribute[int], value: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100:
        raise ValueError(f"score must be an int in 0..100, got {value!r}")


# (Not slotted, like Issue: one is built per report.)
@attrs.frozen(slots=False)
class Assessment:
    """The judgement of one report.

    Attributes:
        score: 0..100, how faithful the report is to Hurlburt's criteria.
        quality: The label for ``score`` (see :func:`quality_from_score`).
        phenomena: Phenomenon codes found (see :data:`PHENOMENA`).
        issues: Problems found, most important first.
        feedback: One specific, kind, actionable tip in the report's language.
        lang: ``"ru"`` or ``"en"``.
        source: ``"local"`` or ``"ai"``.
        cached: True when the answer came from the cache.
        fallback_reason: Why local validation was used instead of AI, or None.
        strengths: Short notes on what the report did well, in its language.
        provider: Which backend answered (``"local"``, ``"openai"``, ...).
        model: The model name when AI answered.
        retry_after: Seconds until AI feedback resumes, when rate limited.
        version: Version of the validator that produced this.
    """

    score: int = attrs.field(validator=_score_ok)
    quality: str
    phenomena: frozenset[str]
    issues: tuple[Issue, ...]
    feedback: str
    lang: str
    source: str = "local"
    cached: bool = False
    fallback_reason: str | None = None
    strengths: tuple[str, ...] = ()
    provider: str = "local"
    model: str | None = None
    retry_after: float | None = None
    version: str = ""

    @property
    def issue_codes(self) -> tuple[str, ...]:
        """The codes of :attr:`issues`, in order."""
        return tuple(issue.code for issue in self.issues)

    @property
    def main_issue(self) -> Issue | None:
        """The most important issue, or None when there is none.

        Issues kept only as evidence (:attr:`Issue.evidence_only`, local findings an AI model did
        not confirm) are never the main issue.
        """
        return next((issue for issue in self.issues if not issue.evidence_only), None)

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready dict (sets become sorted lists)."""
        return {
            "score": self.score,
            "quality": self.quality,
            "phenomena": sorted(self.phenomena),
            "issues": [
                {
                    "code": i.code,
                    "message": i.message,
                    "severity": i.severity.value,
                    "span": list(i.span) if i.span else None,
                    "evidence_only": i.evidence_only,
                }
                for i in self.issues
            ],
            "feedback": self.feedback,
            "strengths": list(self.strengths),
            "lang": self.lang,
            "source": self.source,
            "cached": self.cached,
            "fallback_reason": self.fallback_reason,
            "provider": self.provider,
            "model": self.model,
            "retry_after": self.retry_after,
            "version": self.version,
        }


@attrs.frozen
class Decision:
    """A rate limiter's answer to one request (see :class:`~esm_validate.RateLimiter`).

    Attributes:
        allowed: True when the request may go ahead (and was counted).
        remaining: Requests left in the current window after this one.
        retry_after: Seconds until the next request would be allowed (0.0 when allowed).
    """

    allowed: bool
    remaining: int
    retry_after: float = 0.0
