"""The assessment engine: text → :class:`~esm_validate.Assessment`, pure and deterministic.

:func:`assess` runs the whole local pipeline (language, scan, phenomena, rules, score,
feedback). It lives apart from :class:`~esm_validate.local.validator.LocalValidator` so that the
optional mypyc build can compile it (see ``docs/method.md``, Speed); ``validator`` re-exports it.
"""

from __future__ import annotations

from collections.abc import Sequence

from esm_validate._types import Assessment, Issue, Severity, quality_from_score
from esm_validate.config import ValidationConfig

from .feedback import choose_feedback, strengths
from .language import SUPPORTED_LANGUAGES, detect_language
from .phenomena import phenomena_of
from .report import Report, scan
from .rules import BASIC_RULE_CODES, DEFAULT_RULES, ISSUE_PRIORITY, LocalRule
from .scoring import score_value

__all__ = ["VALIDATOR_VERSION", "assess"]

#: Goes into :attr:`Assessment.version` of every local assessment.
VALIDATOR_VERSION = "local-1.0"

_DEFAULT_CONFIG = ValidationConfig()
#: ``_DEFAULT_CONFIG.effective_day`` of the usual arguments (the config is frozen).
_DEFAULT_DAYS: dict[int | None, int] = {
    day: _DEFAULT_CONFIG.effective_day(day) for day in (None, 1, 2, 3)
}
_SEVERITY_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


def _check_text(text: object) -> str:
    if not isinstance(text, str):
        raise TypeError(f"the report text must be a str, got {type(text).__name__}")
    return text


def _language(text: str, lang: str | None) -> str:
    if lang is None:
        return detect_language(text)
    if not isinstance(lang, str):
        raise TypeError(f"lang must be a str like 'ru' or 'en', or None; got {type(lang).__name__}")
    code = lang.strip().lower().replace("_", "-").split("-")[0]
    # An unknown language (e.g. a Telegram client set to German) falls back to detection.
    return code if code in SUPPORTED_LANGUAGES else detect_language(text)


def _check_day(training_day: int | None) -> int | None:
    if training_day is None:
        return None
    if isinstance(training_day, bool) or not isinstance(training_day, int):
        raise TypeError(f"training_day must be an int or None, got {type(training_day).__name__}")
    return training_day


#: Rank of each built-in code in :data:`ISSUE_PRIORITY` (other codes come after them).
_PRIORITY = {code: rank for rank, code in enumerate(ISSUE_PRIORITY)}
_UNRANKED = len(ISSUE_PRIORITY)


def _order_key(issue: Issue) -> tuple[int, int, int]:
    span = issue.span
    return (
        _SEVERITY_RANK.get(issue.severity, 3),
        _PRIORITY.get(issue.code, _UNRANKED),
        span[0] if span else -1,
    )


def _order(issues: Sequence[Issue]) -> tuple[Issue, ...]:
    if len(issues) < 2:
        return tuple(issues)
    # The sort is stable: issues with equal keys keep the order their rules found them in.
    return tuple(sorted(issues, key=_order_key))


def _run_rules(report: Report, rules: Sequence[LocalRule]) -> tuple[Issue, ...]:
    found: list[Issue] = []
    if report.config.use_golden_standard:
        for rule in rules:
            found.extend(rule.check(report))
    else:
        for rule in rules:
            if rule.code not in ISSUE_PRIORITY or rule.code in BASIC_RULE_CODES:
                found.extend(rule.check(report))
    return _order(found)


def assess(
    text: str,
    *,
    lang: str | None = None,
    training_day: int | None = None,
    config: ValidationConfig | None = None,
    rules: Sequence[LocalRule] = DEFAULT_RULES,
) -> Assessment:
    """Assess one report with ``rules`` under ``config`` (the engine behind :func:`validate`)."""
    text = _check_text(text)
    config = config if config is not None else _DEFAULT_CONFIG
    text = text[: config.max_length]
    code = _language(text, lang)
    day = _check_day(training_day)
    normalised, hits, negated, quotes, words, sentences = scan(text, code)
    phenomena, evidence = phenomena_of(hits, normalised, quotes, sentences)
    # Built once, with the phenomena (what ``analyse`` + ``with_phenomena`` give, without a copy).
    report = Report(
        text,
        normalised,
        code,
        _DEFAULT_DAYS[day]
        if config is _DEFAULT_CONFIG and day in _DEFAULT_DAYS
        else config.effective_day(day),
        config,
        hits,
        negated,
        quotes,
        words,
        sentences,
        phenomena,
        evidence,
    )
    issues = _run_rules(report, rules)
    score = score_value(report, issues)
    return Assessment(
        score=score,
        quality=quality_from_score(score),
        phenomena=phenomena,
        issues=issues,
        feedback=choose_feedback(report, issues, score),
        lang=code,
        source="local",
        cached=False,
        fallback_reason=None,
        strengths=strengths(report, issues),
        provider="local",
        version=VALIDATOR_VERSION,
    )
