"""One kind, specific tip per report, focused on the training day's skill, plus the strengths.

Day 1 trains catching the moment, day 2 concrete experiential detail, day 3 pristine experience
(describe, do not explain or hedge). The tip addresses the most relevant issue for the day and
quotes the participant's own words.
"""

from __future__ import annotations

from collections.abc import Sequence

from esm_validate._types import Issue

from .language import language_data
from .report import Report

__all__ = ["DAY_FOCUS", "choose_feedback", "strengths"]

#: Issue codes each training day cares about first (then the general importance order).
DAY_FOCUS: dict[int, tuple[str, ...]] = {
    1: (
        "empty",
        "avoidance",
        "reaction_to_beep",
        "not_momentary",
        "generalization",
        "behavior_only",
        "too_short",
    ),
    2: (
        "empty",
        "avoidance",
        "behavior_only",
        "unspecified_thinking",
        "presupposition",
        "abstract_label",
        "reaction_to_beep",
        "not_momentary",
        "generalization",
        "too_short",
    ),
    3: (
        "empty",
        "avoidance",
        "behavior_only",
        "presupposition",
        "theorizing",
        "inferred",
        "hedging",
        "generalization",
        "not_momentary",
        "reaction_to_beep",
        "unspecified_thinking",
        "abstract_label",
        "too_short",
    ),
}


#: How many following words to quote with the evidence ("thinking about" → "thinking about work").
_EXTRA_WORDS = {"unspecified_thinking": 2, "reaction_to_beep": 1, "presupposition": 1}


def _focus_issue(issues: Sequence[Issue], day: int) -> Issue | None:
    if not issues:
        return None
    order = DAY_FOCUS.get(day, DAY_FOCUS[3])
    by_code: dict[str, Issue] = {}
    for issue in reversed(issues):  # (a loop: a comprehension costs a call on Python 3.11)
        by_code[issue.code] = issue
    for code in order:
        if code in by_code:
            return by_code[code]
    return issues[0]


def choose_feedback(report: Report, issues: Sequence[Issue], score: int) -> str:
    """The tip for ``report``: about the day's most relevant issue, or praise when none."""
    data = language_data(report.lang)
    informal = report.config.address == "informal"
    issue = _focus_issue(issues, report.training_day)
    if issue is None:
        praise = data.praise_informal if informal else data.praise
        return praise.get(report.training_day, praise[3])
    code = issue.code
    if code == "behavior_only" and not report.has("activity"):
        code = "behavior_only_scene"  # no doing was named: do not say "you described a doing"
    elif code == "presupposition" and not report.has_any(("speech_vague", "x_presupposition")):
        code = "presupposition_form"  # an image or a sound was named: do not ask for words
    template = (data.feedback_informal if informal else data.feedback).get(code)
    if template is None:
        return issue.message
    quote = ""
    if issue.span:
        span = report.extend_words(issue.span, _EXTRA_WORDS.get(issue.code, 0))
        quote = report.quote(report.extend_clause(span), limit=50)
    if "{quote}" in template and not quote:
        return issue.message
    return template.replace("{quote}", quote)


#: Phenomena praised as strengths, in the order they are named.
_PHENOMENON_STRENGTHS = (
    "inner_speech",
    "inner_seeing",
    "inner_hearing",
    "unsymbolized_thinking",
    "sensory_awareness",
    "feeling",
    "just_doing",
)
_OFF_MOMENT = frozenset({"reaction_to_beep", "not_momentary"})
_THEORY = frozenset({"theorizing", "hedging", "inferred", "generalization"})
_BARE = frozenset({"avoidance"})


def has_content_hits(report: Report) -> bool:
    """True when a blank comes with something concrete (a sensation, a detail)."""
    return report.has_any(("x_sensory", "x_bodily", "x_detail", "gaze"))


def strengths(report: Report, issues: Sequence[Issue]) -> tuple[str, ...]:
    """Up to three short notes on what the report did well, in its language."""
    names = language_data(report.lang).strengths
    codes: set[str] = set()
    for issue in issues:  # (loops: a comprehension costs a call on Python 3.11)
        codes.add(issue.code)
    if "avoidance" in codes:
        return ()  # an evasive answer or a bare "nothing" is never praised
    hits = report.hits
    phenomena = report.phenomena
    found: list[str] = []
    if hits.get("moment_anchor") and codes.isdisjoint(_OFF_MOMENT):
        found.append("moment")
    if phenomena:
        for code in _PHENOMENON_STRENGTHS:
            if code in phenomena:
                found.append(code)
        if "feeling" in phenomena and hits.get("bodily"):
            found.append("bodily")
        if codes.isdisjoint(_THEORY):
            found.append("no_theory")
    elif hits.get("blank") and codes.isdisjoint(_BARE) and has_content_hits(report):
        found.append("honest_blank")  # a described blank, not a bare "nothing"
    notes: list[str] = []
    for code in found[:3]:
        if code in names:
            notes.append(names[code])
    return tuple(notes)
