"""The local validator: text → :class:`~esm_validate.Assessment`, pure and deterministic."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from esm_validate._types import Assessment, Issue, Severity, quality_from_score
from esm_validate.config import ValidationConfig

from .feedback import choose_feedback, strengths
from .language import SUPPORTED_LANGUAGES, detect_language
from .phenomena import phenomena_of
from .report import Report, scan
from .rules import BASIC_RULE_CODES, DEFAULT_RULES, ISSUE_PRIORITY, LocalRule
from .scoring import score_value

__all__ = ["VALIDATOR_VERSION", "LocalValidator", "assess"]

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


@attrs.define
class LocalValidator:
    """The rule-based validator as a :class:`~esm_validate.Validator` (the fallback of every chain).

    Args:
        config: Settings (defaults follow the seed).
        rules: The rules to run; extend with ``DEFAULT_RULES + (MyRule(),)``.

    ``validate`` is pure apart from the counters that :meth:`stats` reports (guarded by a lock,
    so one instance may serve many threads).
    """

    config: ValidationConfig = attrs.field(factory=ValidationConfig)
    rules: tuple[LocalRule, ...] = attrs.field(default=DEFAULT_RULES, converter=tuple)
    _counts: Counter[str] = attrs.field(factory=Counter, init=False, repr=False)
    _lock: threading.Lock = attrs.field(factory=threading.Lock, init=False, repr=False)

    @rules.validator
    def _check_rules(
        self, _attr: attrs.Attribute[tuple[LocalRule, ...]], value: tuple[LocalRule, ...]
    ) -> None:
        for rule in value:
            if not isinstance(rule, LocalRule):
                raise TypeError(
                    f"{rule!r} is not a LocalRule: it needs a 'code' str and a "
                    "'check(report)' method"
                )

    def validate(
        self,
        text: str,
        *,
        user_id: str | None = None,
        training_day: int | None = None,
        lang: str | None = None,
    ) -> Assessment:
        """Assess one report (``user_id`` is accepted for the Protocol; local rules ignore it)."""
        assessment = assess(
            text, lang=lang, training_day=training_day, config=self.config, rules=self.rules
        )
        with self._lock:
            self._counts["validations"] += 1
            self._counts[f"lang_{assessment.lang}"] += 1
            self._counts[f"quality_{assessment.quality}"] += 1
        return assessment

    def stats(self) -> Mapping[str, Any]:
        """Counters: ``validations``, ``lang_ru``/``lang_en``, ``quality_<label>``."""
        with self._lock:
            counts = dict(self._counts)
        counts.setdefault("validations", 0)
        return {"provider": "local", "version": VALIDATOR_VERSION, **counts}
