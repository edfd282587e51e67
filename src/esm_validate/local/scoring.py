"""The score: content first, then deductions, over five components (the original MSE bot's weights).

A report first earns its components from what it *gives* (:func:`_base`), graded rather than
gated:

* experiential content of any kind (a phenomenon, a sensory quality, a bodily sensation, a
  described blank) earns most, more with more kinds, units and details of it;
* a lone label («тревога», "annoyed") earns little: thin, though not wrong;
* a bare "nothing" earns little; outward behaviour earns least, more with concrete, momentary
  outward detail (a number, a quoted word, a colour) than without.

Then each issue found takes its share (:data:`_DEDUCTIONS`). The components:

* specificity: how much concrete experiential content the report gives;
* moment focus: anchored to the beep, no period, no reaction to the beep, no habit;
* sensory detail: detail of that content (whose voice, where in the body, which colour);
* consistency: a single report has no history, so this is internal consistency: a neutral 0.85,
  lowered by hedging and inferred experience;
* brevity: no embellishment: theorising and sentences without any experience lower it.

Length as such earns nothing, so a long narrative of habits scores below a short precise note.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

import attrs

from esm_validate._types import Issue, Severity

from .report import Report
from .rules import _ERROR, _INFO, generalization_count, hedge_spans, scene_with_qualities

__all__ = ["Components", "score_report", "score_value"]

_COMPONENTS = ("specificity", "moment_focus", "sensory_detail", "consistency", "brevity")

#: What each built-in issue takes from each component (before multiplicity and strict mode).
_DEDUCTIONS: dict[str, dict[str, float]] = {
    "too_short": {"specificity": 0.4, "sensory_detail": 0.4},
    "avoidance": {"specificity": 0.7, "sensory_detail": 0.6, "moment_focus": 0.3},
    "generalization": {"moment_focus": 0.45, "specificity": 0.3, "consistency": 0.2},
    "not_momentary": {"moment_focus": 0.5, "specificity": 0.1},
    "reaction_to_beep": {"moment_focus": 0.6, "specificity": 0.3, "sensory_detail": 0.2},
    "theorizing": {"brevity": 0.6, "consistency": 0.2, "specificity": 0.1},
    "inferred": {"consistency": 0.6, "specificity": 0.2},
    "hedging": {"consistency": 0.45, "brevity": 0.1},
    "behavior_only": {"specificity": 0.3, "sensory_detail": 0.3, "moment_focus": 0.1},
    "presupposition": {"specificity": 0.45, "sensory_detail": 0.35},
    "unspecified_thinking": {"specificity": 0.35, "sensory_detail": 0.25},
    "abstract_label": {"sensory_detail": 0.3, "specificity": 0.1},
    "reading_inner_voice": {},
}


def _custom_deduction(severity: Severity) -> float:
    """What an issue of a custom rule takes from every component, by its severity (an identity
    test, not a dict: a member as a key is hashed by Enum's Python-level ``__hash__``)."""
    if severity is _ERROR:
        return 0.4
    return 0.0 if severity is _INFO else 0.15  # (a warning, or anything else)


#: A report with one of these (as an error) cannot score above this.
_ERROR_CAP = 35


@attrs.frozen
class Components:
    """The five component values (0..1) of one report."""

    specificity: float
    moment_focus: float
    sensory_detail: float
    consistency: float
    brevity: float


# Loops rather than comprehensions on this path: a comprehension costs a call on Python 3.11.


def _multiplicity(report: Report, code: str) -> float:
    if code == "generalization":
        count = generalization_count(report)
    elif code == "hedging":
        count = len(hedge_spans(report))
    elif code == "theorizing":
        count = report.count("causal") + report.count("interpretation")
    elif code == "not_momentary":
        count = report.count("period")
    elif code == "behavior_only":
        return 0.5 if scene_with_qualities(report) else 1.0
    else:
        return 1.0
    # min(2.0, 1.0 + 0.5 * max(0, count - 1)) without the two calls (each costs more than the
    # arithmetic on Python 3.11)
    return 1.0 if count <= 1 else (2.0 if count >= 3 else 1.5)


def _detail_hits(report: Report) -> int:
    """How many detail, bodily, sensory or simile hits lie within 80 characters of evidence."""
    if not report.evidence:
        return 0  # (no phenomenon: nothing to be near, no need to collect the hits)
    hits = report.hits
    starts: list[int] = []
    for category in ("detail", "bodily", "sensory_quality", "simile"):
        for start, _ in hits.get(category, ()):
            starts.append(start)
    if not starts:
        return 0
    reach: list[tuple[int, int]] = []
    for spans in report.evidence.values():
        for s, e in spans:
            reach.append((s - 80, e + 80))
    near = 0
    for start in starts:
        for low, high in reach:
            if low <= start <= high:
                near += 1
                break
    return near


def _unexperiential_share(report: Report) -> float:
    """The share of sentences (of three or more) with no evidence and no experiential mark."""
    all_sentences = report.sentences
    if len(all_sentences) < 3:
        return 0.0  # (fewer than three at all: no need to look for words)
    marks: list[int] = []
    for spans in report.evidence.values():
        for s, _ in spans:
            marks.append(s)
    hits = report.hits
    for category in ("moment_anchor", "blank", "bodily", "experiential"):
        for s, _ in hits.get(category, ()):
            marks.append(s)
    marks.sort()
    count = len(marks)
    unmarked: list[tuple[int, int]] = []
    for start, end in all_sentences:
        first = bisect.bisect_left(marks, start)  # the first mark at or after the sentence start
        if first == count or marks[first] >= end:
            unmarked.append((start, end))
    if not unmarked:
        return 0.0  # every sentence has a mark: no need to look for words either
    text = report.text
    sentences = 0
    for start, end in all_sentences:  # an emoji or a "))" is not a sentence
        if _NO_WORD.fullmatch(text, start, end) is None:
            sentences += 1
    if sentences < 3:
        return 0.0
    empty = 0
    for start, end in unmarked:
        if _NO_WORD.fullmatch(text, start, end) is None:
            empty += 1
    return empty / sentences


#: Kinds of experiential content that are not phenomena (see :mod:`.content`).
_CONTENT_KINDS = ("x_sensory", "x_bodily")


def _outward(report: Report) -> int:
    """Concrete, momentary outward detail (numbers, quoted words, colours, qualities)."""
    return len(report.hits.get("x_detail", ()))


_NO_WORD = re.compile(r"\W*")


def _base(report: Report) -> list[float]:
    """The component values before deductions, in the order of :data:`_COMPONENTS`."""
    phenomena = report.phenomena
    hits = report.hits
    units = 0
    for spans in report.evidence.values():
        units += len(spans)
    kinds = len(phenomena)
    for name in _CONTENT_KINDS:
        found = hits.get(name, ())
        units += len(found)
        if found and "sensory_awareness" not in phenomena:
            kinds += 1
    details = _detail_hits(report)
    quoted_speech = bool(report.quotes) and "inner_speech" in phenomena
    label_only = phenomena == _FEELING_ONLY and not (
        details or quoted_speech or hits.get("x_bodily") or hits.get("bodily")
    )
    blank = bool(hits.get("blank"))
    if kinds and not label_only:
        rich = min(3, kinds - 1) * 0.1 + min(5, units - 1) * 0.04 + min(4, details) * 0.04
        specificity = 0.6 + rich + (0.1 if quoted_speech else 0.0)
        detail = 0.45 + min(0.45, 0.12 * details) + (0.1 if quoted_speech else 0.0)
        moment = 0.9  # content is momentary unless an issue says otherwise
        consistency = 1.0
    elif label_only:
        specificity, detail, moment, consistency = 0.25, 0.1, 0.65, 0.9
    elif blank:
        described = min(3, _outward(report)) * 0.1
        specificity, detail, moment, consistency = 0.4 + described, 0.3 + described, 0.7, 0.9
    else:
        outward = min(3, _outward(report) + (1 if report.words >= 8 else 0))
        specificity = 0.25 + 0.11 * outward
        detail = 0.1 + 0.08 * outward
        moment, consistency = 0.65, 0.85
    if hits.get("moment_anchor"):
        moment += 0.1
    brevity = 1.0 - 0.6 * _unexperiential_share(report) - (0.1 if report.words > 120 else 0.0)
    return [specificity, moment, detail, consistency, brevity]


_FEELING_ONLY = frozenset({"feeling"})


def score_report(report: Report, issues: Sequence[Issue]) -> tuple[int, Components]:
    """Return the 0..100 score of ``report`` given its ``issues``, and the components."""
    score, values = _score(report, issues)
    return score, Components(*values)


def score_value(report: Report, issues: Sequence[Issue]) -> int:
    """The 0..100 score alone (what :func:`score_report` returns, without the components)."""
    return _score(report, issues)[0]


#: :data:`_DEDUCTIONS` as (component index, amount) pairs, in the same order.
_DEDUCTION_STEPS: dict[str, tuple[tuple[int, float], ...]] = {
    code: tuple((_COMPONENTS.index(name), amount) for name, amount in deductions.items())
    for code, deductions in _DEDUCTIONS.items()
}


def _score(report: Report, issues: Sequence[Issue]) -> tuple[int, tuple[float, ...]]:
    if not issues:
        return _total(report, _base(report), False)
    for issue in issues:
        if issue.code == "empty":
            return 0, (0.0, 0.0, 0.0, 0.0, 0.0)
    values = _base(report)
    factor = report.config.penalty_factor
    seen: set[str] = set()
    error = False
    for issue in issues:
        severity = issue.severity
        if severity is _ERROR:
            error = True
        code = issue.code
        if code in seen:
            continue
        seen.add(code)
        lenient = 0.5 if severity is _INFO else 1.0
        steps = _DEDUCTION_STEPS.get(code)
        if steps is None:
            amount = _custom_deduction(severity) * factor
            for index in range(len(_COMPONENTS)):
                values[index] -= amount
            continue
        times = _multiplicity(report, code) * factor * lenient
        for index, amount in steps:
            values[index] -= amount * times
    return _total(report, values, error)


def _total(report: Report, values: list[float], error: bool) -> tuple[int, tuple[float, ...]]:
    """The weighted score of the component ``values`` (clamped to 0..1), capped by an error."""
    # min(1.0, max(0.0, v)) without the calls (also 0.0 for -0.0 and NaN, as those give)
    spec, moment, detail, consistency, brevity = values
    spec = spec if 0.0 < spec < 1.0 else (1.0 if spec >= 1.0 else 0.0)
    moment = moment if 0.0 < moment < 1.0 else (1.0 if moment >= 1.0 else 0.0)
    detail = detail if 0.0 < detail < 1.0 else (1.0 if detail >= 1.0 else 0.0)
    consistency = consistency if 0.0 < consistency < 1.0 else (1.0 if consistency >= 1.0 else 0.0)
    brevity = brevity if 0.0 < brevity < 1.0 else (1.0 if brevity >= 1.0 else 0.0)
    weights = report.config.weights
    total = sum(  # (sum, not +: Python 3.12 sums floats with compensation; the figures must hold)
        (
            weights.specificity * spec,
            weights.moment_focus * moment,
            weights.sensory_detail * detail,
            weights.consistency * consistency,
            weights.brevity * brevity,
        )
    )
    score = round(100 * total)
    # min(score, _ERROR_CAP) and max(0, min(100, score)) without the calls
    if error and score > _ERROR_CAP:
        score = _ERROR_CAP
    score = 0 if score < 0 else (100 if score > 100 else score)
    return score, (spec, moment, detail, consistency, brevity)
