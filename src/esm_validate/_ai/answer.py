"""Turn a model's decoded answer into a checked :class:`AIAnswer`, or raise MalformedAIResponse.

The backends find the JSON object in the model's text; :func:`parse_answer` checks types, ranges
and enums: unknown phenomena and issue codes are dropped, unknown keys ignored, anything else wrong
raises :class:`~esm_validate.MalformedAIResponse`. No other exception escapes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import attrs

from esm_validate._errors import MalformedAIResponse
from esm_validate._types import ISSUE_CODES, PHENOMENA, QUALITY_LEVELS, Severity

__all__ = ["AIAnswer", "AIIssue", "parse_answer"]

_MAX_MESSAGE: Final = 500
_MAX_FEEDBACK: Final = 2000
_MAX_ITEMS: Final = 20
_QUALITIES: Final = frozenset(name for name, _ in QUALITY_LEVELS)


@attrs.frozen
class AIIssue:
    """An issue as the model reported it (code from :data:`~esm_validate.ISSUE_CODES`)."""

    code: str
    message: str
    severity: Severity | None = None


@attrs.frozen
class AIAnswer:
    """A model answer that passed every check.

    Attributes:
        score: 0..100.
        quality: The model's quality label (a known one; re-derived from the score).
        phenomena: Known phenomenon codes, unknown ones dropped.
        issues: Known issue codes with their messages, in the model's order, duplicates dropped.
        feedback: The tip for the participant (non-empty).
        strengths: Optional notes on what the report did well.
    """

    score: int
    quality: str
    phenomena: frozenset[str]
    issues: tuple[AIIssue, ...]
    feedback: str
    strengths: tuple[str, ...] = ()


def _require(data: Mapping[str, Any], key: str) -> Any:
    if key not in data:
        raise MalformedAIResponse(f"answer lacks the required field {key!r}")
    return data[key]


def _string(value: Any, field: str, limit: int) -> str:
    if not isinstance(value, str):
        raise MalformedAIResponse(f"{field} must be a string, got {type(value).__name__}")
    return " ".join(value.split())[:limit]


def _list(value: Any, field: str) -> list[Any]:
    if not isinstance(value, list):
        raise MalformedAIResponse(f"{field} must be a list, got {type(value).__name__}")
    return value[: _MAX_ITEMS * 5]


def _score(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise MalformedAIResponse(f"score must be a number, got {type(value).__name__}")
    if value != value or not 0 <= value <= 100:  # NaN, or out of range
        raise MalformedAIResponse(f"score must be in 0..100, got {value!r}")
    return round(value)


def _issues(value: Any) -> tuple[AIIssue, ...]:
    issues: list[AIIssue] = []
    seen: set[str] = set()
    for index, item in enumerate(_list(value, "issues")):
        if not isinstance(item, Mapping):
            raise MalformedAIResponse(f"issues[{index}] must be an object")
        code = _string(_require(item, "code"), f"issues[{index}].code", 100)
        message = _string(_require(item, "message"), f"issues[{index}].message", _MAX_MESSAGE)
        severity_raw = item.get("severity")
        try:
            severity = Severity(severity_raw) if isinstance(severity_raw, str) else None
        except ValueError:
            severity = None
        if code in ISSUE_CODES and code not in seen and len(issues) < _MAX_ITEMS:
            seen.add(code)
            issues.append(AIIssue(code=code, message=message, severity=severity))
    return tuple(issues)


def parse_answer(data: Any) -> AIAnswer:
    """Check a decoded answer and return it as an :class:`AIAnswer`.

    Raises:
        MalformedAIResponse: Not an object, a required field missing, a wrong type, a score outside
            0..100, an unknown quality label or an empty feedback.
    """
    if not isinstance(data, Mapping):
        raise MalformedAIResponse(f"answer must be a JSON object, got {type(data).__name__}")
    score = _score(_require(data, "score"))
    quality = _string(_require(data, "quality"), "quality", 50).lower()
    if quality not in _QUALITIES:
        raise MalformedAIResponse(f"quality {quality[:20]!r} is not a known label")
    phenomena = frozenset(
        _string(item, "phenomena item", 100)
        for item in _list(_require(data, "phenomena"), "phenomena")
    )
    issues = _issues(_require(data, "issues"))
    feedback = _string(_require(data, "feedback"), "feedback", _MAX_FEEDBACK)
    if not feedback:
        raise MalformedAIResponse("feedback is empty")
    strengths_raw = data.get("strengths")
    strengths: tuple[str, ...] = ()
    if strengths_raw is not None:
        items = (
            _string(s, "strengths item", _MAX_MESSAGE) for s in _list(strengths_raw, "strengths")
        )
        strengths = tuple(s for s in items if s)[:_MAX_ITEMS]
    return AIAnswer(
        score=score,
        quality=quality,
        phenomena=phenomena & frozenset(PHENOMENA),
        issues=issues,
        feedback=feedback,
        strengths=strengths,
    )
