"""Local, rule-based validation of DES reports (Russian and English), after Hurlburt.

Pure and deterministic: no I/O, no network, no global state. See ``docs/method.md`` for how each
rule maps to Hurlburt's criteria.
"""

from __future__ import annotations

from esm_validate._types import Assessment

from .engine import analyse
from .language import SUPPORTED_LANGUAGES, detect_language
from .report import Report, Span
from .rules import DEFAULT_RULES, ISSUE_PRIORITY, LocalRule
from .validator import VALIDATOR_VERSION, LocalValidator, assess

__all__ = [
    "DEFAULT_RULES",
    "ISSUE_PRIORITY",
    "SUPPORTED_LANGUAGES",
    "VALIDATOR_VERSION",
    "LocalRule",
    "LocalValidator",
    "Report",
    "Span",
    "analyse",
    "assess",
    "detect_language",
    "validate",
]


def validate(text: str, *, lang: str | None = None, training_day: int | None = None) -> Assessment:
    """Assess one report against Hurlburt's criteria with the default rules and settings.

    Args:
        text: The participant's report (any string; empty or messy text is fine).
        lang: ``"ru"`` or ``"en"``; None (or an unsupported code) detects it from the text.
        training_day: 1, 2 or 3 focuses the feedback on that day's skill; None judges as day 3.

    Returns:
        An :class:`~esm_validate.Assessment` with ``source="local"``.

    Raises:
        TypeError: ``text`` is not a str (or ``training_day`` is not an int).
    """
    return assess(text, lang=lang, training_day=training_day)
