"""The assessment engine: text → :class:`~esm_validate.Assessment`, pure and deterministic.

:func:`assess_checked` runs the whole local pipeline (scan, phenomena, rules, score, feedback)
on checked arguments. It lives apart from :mod:`.validator` (which checks the arguments of
:func:`~esm_validate.local.validator.assess` in pure Python, so that a wrong type gets the same
clear message in every build) so that the optional mypyc build can compile it (see
``docs/method.md``, Speed).
"""

from __future__ import annotations

from collections.abc import Sequence

from esm_validate._types import Assessment, Issue, quality_from_score
from esm_validate.config import ValidationConfig

from .content import content_hits
from .feedback import choose_feedback, strengths
from .phenomena import phenomena_of
from .report import Report, scan
from .rules import (
    _ERROR,
    _INFO,
    _WARNING,
    BASIC_RULE_CODES,
    DEFAULT_RULES,
    ISSUE_PRIORITY,
    RULE_TRIGGERS,
    LocalRule,
)
from .scoring import score_value

__all__ = ["VALIDATOR_VERSION", "analyse", "assess_checked"]

#: Goes into :attr:`Assessment.version` of every local assessment.
VALIDATOR_VERSION = "local-1.0"

#: Rank of each built-in code in :data:`ISSUE_PRIORITY` (other codes come after them).
_PRIORITY = {code: rank for rank, code in enumerate(ISSUE_PRIORITY)}
_UNRANKED = len(ISSUE_PRIORITY)


def _order_key(issue: Issue) -> tuple[int, int, int]:
    # The severity's rank by identity tests, not a dict: a member as a key is hashed by Enum's
    # Python-level __hash__ (error 0, warning 1, note 2, anything else 3).
    severity = issue.severity
    span = issue.span
    return (
        0 if severity is _ERROR else 1 if severity is _WARNING else 2 if severity is _INFO else 3,
        _PRIORITY.get(issue.code, _UNRANKED),
        span[0] if span else -1,
    )


def _order(issues: Sequence[Issue]) -> tuple[Issue, ...]:
    if len(issues) < 2:
        return tuple(issues)
    # The sort is stable: issues with equal keys keep the order their rules found them in.
    return tuple(sorted(issues, key=_order_key))


#: Each rule with the hit categories it needs (None: it always runs).
_Plan = tuple[tuple[LocalRule, frozenset[str] | None], ...]


def _plan(rules: Sequence[LocalRule]) -> _Plan:
    return tuple((rule, RULE_TRIGGERS.get(type(rule))) for rule in rules)


_DEFAULT_PLAN = _plan(DEFAULT_RULES)


def _plan_of(rules: Sequence[LocalRule]) -> _Plan:
    # Custom rules are planned on each call (a dozen look-ups): no state kept between calls.
    return _DEFAULT_PLAN if rules is DEFAULT_RULES else _plan(rules)


def _run_rules(report: Report, rules: Sequence[LocalRule]) -> tuple[Issue, ...]:
    found: list[Issue] = []
    if report.config.use_golden_standard:
        # A built-in rule whose trigger categories are all absent would find nothing: most
        # reports skip most rules without a call.
        present = report.hits.keys()  # (a view: no set is built)
        for rule, triggers in _plan_of(rules):
            if triggers is not None and present.isdisjoint(triggers):
                continue
            result = rule.check(report)
            if result:  # (most rules find nothing: their empty tuple needs no extend call)
                found.extend(result)
    else:
        for rule in rules:
            if rule.code not in ISSUE_PRIORITY or rule.code in BASIC_RULE_CODES:
                found.extend(rule.check(report))
    return _order(found)


def analyse(
    text: str,
    lang: str,
    config: ValidationConfig,
    training_day: int | None = None,
) -> Report:
    """The :class:`Report` rules get: ``text`` scanned in ``lang``, with its phenomena.

    Useful for testing a custom :class:`LocalRule` on a text. ``text`` is taken whole (the
    validator cuts it to ``config.max_length`` first); ``lang`` must be supported.
    """
    normalised, hits, negated, quotes, words, sentences, digits = scan(text, lang)
    hits.update(content_hits(hits, normalised, quotes, sentences, digits))
    phenomena, evidence = phenomena_of(hits, normalised, quotes, sentences)
    return Report(
        text,
        normalised,
        lang,
        config.effective_day(training_day),
        config,
        hits,
        negated,
        quotes,
        words,
        sentences,
        phenomena,
        evidence,
    )


def assess_checked(
    text: str,
    code: str,
    day: int | None,
    config: ValidationConfig,
    rules: Sequence[LocalRule],
) -> Assessment:
    """Assess ``text`` (already cut to ``config.max_length``) in language ``code``.

    The arguments are already checked (:func:`esm_validate.local.validator.assess` does that,
    with its own clear messages, before calling this).
    """
    report = analyse(text, code, config, day)
    issues = _run_rules(report, rules)
    score = score_value(report, issues)
    # Positional (in the order of Assessment's fields): binding fourteen keywords by name costs
    # about 5,000 instructions of the construction's 21,000.
    return Assessment(
        score,
        quality_from_score(score),
        report.phenomena,
        issues,
        choose_feedback(report, issues, score),
        code,
        "local",  # source
        False,  # cached
        None,  # fallback_reason
        strengths(report, issues),
        "local",  # provider
        None,  # model
        None,  # retry_after
        VALIDATOR_VERSION,  # version
    )
