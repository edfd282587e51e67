"""The figures of an evaluation, overall and per group, as frozen values (pure functions)."""

from __future__ import annotations

import functools
import json
import random
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from esm_validate._io import InputError
from esm_validate._types import ISSUE_CODES, PHENOMENA

from .rows import LABEL_ORDER, ScoredRow
from .stats import DEFAULT_RESAMPLES, auroc, bootstrap_interval

__all__ = [
    "DEFAULT_SEED",
    "CodeFigure",
    "Confusion",
    "Evaluation",
    "Figure",
    "GroupResult",
    "PhenomenonFigure",
    "evaluate",
]

#: The seed used when none is given, so that the same file gives the same interval every run.
DEFAULT_SEED = 13
_NO_GROUP = "(none)"


@attrs.frozen
class Figure:
    """An AUROC with its bootstrap interval (None where a class is missing).

    Attributes:
        value: The AUROC, or None when good or poor reports are missing.
        low: Lower end of the bootstrap interval.
        high: Upper end of the bootstrap interval.
    """

    value: float | None
    low: float | None = None
    high: float | None = None


@attrs.frozen
class Confusion:
    """Good-vs-poor at a score threshold: a report is called good when ``score >= threshold``.

    Attributes:
        threshold: The score threshold.
        good_as_good: Good reports called good (true positives).
        good_as_poor: Good reports called poor (false negatives).
        poor_as_good: Poor reports called good (false positives).
        poor_as_poor: Poor reports called poor (true negatives).
    """

    threshold: int
    good_as_good: int
    good_as_poor: int
    poor_as_good: int
    poor_as_poor: int

    @property
    def accuracy(self) -> float | None:
        """Share of good and poor reports called right."""
        total = self.good_as_good + self.good_as_poor + self.poor_as_good + self.poor_as_poor
        return _ratio(self.good_as_good + self.poor_as_poor, total)

    @property
    def sensitivity(self) -> float | None:
        """Share of good reports called good."""
        return _ratio(self.good_as_good, self.good_as_good + self.good_as_poor)

    @property
    def specificity(self) -> float | None:
        """Share of poor reports called poor."""
        return _ratio(self.poor_as_poor, self.poor_as_poor + self.poor_as_good)


@attrs.frozen
class CodeFigure:
    """Precision and recall of one phenomenon or issue code (or ``micro`` for all codes pooled).

    Attributes:
        code: The phenomenon code, or ``"micro"``.
        true_pos: Expected and found.
        false_pos: Found but not expected.
        false_neg: Expected but not found.
    """

    code: str
    true_pos: int
    false_pos: int
    false_neg: int

    @property
    def precision(self) -> float | None:
        """Found codes that were expected (None when nothing was found)."""
        return _ratio(self.true_pos, self.true_pos + self.false_pos)

    @property
    def recall(self) -> float | None:
        """Expected codes that were found (None when nothing was expected)."""
        return _ratio(self.true_pos, self.true_pos + self.false_neg)

    @property
    def support(self) -> int:
        """How many times the code was expected."""
        return self.true_pos + self.false_neg


#: The former name of :class:`CodeFigure`.
PhenomenonFigure = CodeFigure


@attrs.frozen
class GroupResult:
    """Every figure for one set of reports (the whole file, or one ``--group-by`` value).

    Attributes:
        name: ``"all"`` or the group's value.
        counts: Reports per label.
        auroc: AUROC of the validator's score, good vs poor.
        baseline: AUROC of the word count alone, good vs poor.
        confusion: Good vs poor at the threshold.
        mean_score: Mean score per label.
        mean_words: Mean word count per label.
        phenomena: Per-code precision and recall (codes expected or found), then ``micro``; empty
            when no row says which phenomena it shows.
        annotated: Rows that say which phenomena they show.
        issues: The same for issue codes, over rows with an ``issues`` column.
        issues_annotated: Rows that say which issues they have.
    """

    name: str
    counts: Mapping[str, int]
    auroc: Figure
    baseline: Figure
    confusion: Confusion
    mean_score: Mapping[str, float]
    mean_words: Mapping[str, float]
    phenomena: tuple[CodeFigure, ...]
    annotated: int
    issues: tuple[CodeFigure, ...] = ()
    issues_annotated: int = 0

    @property
    def size(self) -> int:
        """Reports in this group."""
        return sum(self.counts.values())

    @property
    def micro(self) -> CodeFigure | None:
        """Precision and recall over every code pooled, or None without annotated rows."""
        return self.phenomena[-1] if self.phenomena else None


@attrs.frozen
class Evaluation:
    """The result of :func:`evaluate`.

    Attributes:
        overall: Figures for every report.
        groups: Figures per ``group_by`` value (sorted), empty without grouping.
        threshold: The score at or above which a report is called good.
        seed: The bootstrap seed (None when an rng was injected without one).
        resamples: Bootstrap resamples.
        level: Confidence level of the intervals.
        group_by: The grouping column, or None.
        source: Label of the file evaluated, for the heading.
    """

    overall: GroupResult
    groups: tuple[GroupResult, ...]
    threshold: int
    seed: int | None
    resamples: int
    level: float
    group_by: str | None = None
    source: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (``--format json``)."""
        return {
            "source": self.source,
            "threshold": self.threshold,
            "seed": self.seed,
            "resamples": self.resamples,
            "level": self.level,
            "group_by": self.group_by,
            "overall": _group_dict(self.overall),
            "groups": [_group_dict(group) for group in self.groups],
        }


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _figure(
    pos: Sequence[float], neg: Sequence[float], rng: random.Random, resamples: int, level: float
) -> Figure:
    interval = bootstrap_interval(pos, neg, rng=rng, resamples=resamples, level=level)
    low, high = interval if interval else (None, None)
    return Figure(auroc(pos, neg), low, high)


def _codes(
    pairs: Sequence[tuple[frozenset[str] | None, frozenset[str]]], order: Sequence[str]
) -> tuple[tuple[CodeFigure, ...], int]:
    """Per-code and micro precision/recall over (expected, found) pairs with an expectation."""
    annotated = [(expected, found) for expected, found in pairs if expected is not None]
    if not annotated:
        return (), 0
    counts: dict[str, list[int]] = {}
    for expected, found in annotated:
        for code in expected | found:
            tally = counts.setdefault(code, [0, 0, 0])
            tally[0 if code in expected and code in found else 1 if code in found else 2] += 1
    rank = {code: index for index, code in enumerate(order)}
    figures = [
        CodeFigure(code, *counts[code])
        for code in sorted(counts, key=lambda c: (rank.get(c, len(rank)), c))
    ]
    micro = CodeFigure(
        "micro",
        sum(f.true_pos for f in figures),
        sum(f.false_pos for f in figures),
        sum(f.false_neg for f in figures),
    )
    return (*figures, micro), len(annotated)


def _means(scored: Sequence[ScoredRow], value: Callable[[ScoredRow], float]) -> dict[str, float]:
    by_label: dict[str, list[float]] = {}
    for item in scored:
        by_label.setdefault(item.row.label, []).append(value(item))
    return {label: sum(v) / len(v) for label in LABEL_ORDER if (v := by_label.get(label))}


def _group(
    name: str,
    scored: Sequence[ScoredRow],
    *,
    threshold: int,
    rng: random.Random,
    resamples: int,
    level: float,
) -> GroupResult:
    good = [s for s in scored if s.row.category == "good"]
    poor = [s for s in scored if s.row.category == "poor"]
    counts = {label: n for label in LABEL_ORDER if (n := sum(s.row.label == label for s in scored))}
    phenomena, annotated = _codes([(s.row.phenomena, s.found) for s in scored], PHENOMENA)
    issues, issues_annotated = _codes([(s.row.issues, s.found_issues) for s in scored], ISSUE_CODES)
    return GroupResult(
        name=name,
        counts=counts,
        auroc=_figure([s.score for s in good], [s.score for s in poor], rng, resamples, level),
        baseline=_figure([s.words for s in good], [s.words for s in poor], rng, resamples, level),
        confusion=Confusion(
            threshold=threshold,
            good_as_good=sum(s.score >= threshold for s in good),
            good_as_poor=sum(s.score < threshold for s in good),
            poor_as_good=sum(s.score >= threshold for s in poor),
            poor_as_poor=sum(s.score < threshold for s in poor),
        ),
        mean_score=_means(scored, lambda s: s.score),
        mean_words=_means(scored, lambda s: s.words),
        phenomena=phenomena,
        annotated=annotated,
        issues=issues,
        issues_annotated=issues_annotated,
    )


def evaluate(
    scored: Sequence[ScoredRow],
    *,
    threshold: int,
    rng: random.Random | None = None,
    seed: int | None = DEFAULT_SEED,
    resamples: int = DEFAULT_RESAMPLES,
    level: float = 0.95,
    group_by: str | None = None,
    source: str = "",
) -> Evaluation:
    """Compute every figure for scored rows, overall and per ``group_by`` value.

    Args:
        scored: The rows with the validator's answers (:func:`score_rows`).
        threshold: A report is called good when its score is at least this.
        rng: The bootstrap's randomness; ``random.Random(seed)`` when None.
        seed: The seed used when ``rng`` is None (recorded in the result).
        resamples: Bootstrap resamples (0: no intervals).
        level: Confidence level of the intervals.
        group_by: A column or field name: figures are also given per value of it.
        source: A label for the heading (the file name).

    Raises:
        InputError: No rows, or no row has the ``group_by`` column.
    """
    if not scored:
        raise InputError(f"{source or 'input'}: no labelled reports to evaluate")
    if rng is None:
        rng = random.Random(seed)
    groups: dict[str, list[ScoredRow]] = {}
    if group_by is not None:
        for item in scored:
            groups.setdefault(_group_value(item.row.fields, group_by), []).append(item)
        if set(groups) == {_NO_GROUP}:
            raise InputError(f"{source or 'input'}: no {group_by!r} column to group by")
    figures = functools.partial(
        _group, threshold=threshold, rng=rng, resamples=resamples, level=level
    )
    return Evaluation(
        overall=figures("all", scored),
        groups=tuple(
            figures(name, groups[name])
            for name in sorted(groups, key=lambda n: (n == _NO_GROUP, n))
        ),
        threshold=threshold,
        seed=seed,
        resamples=resamples,
        level=level,
        group_by=group_by,
        source=source,
    )


def _group_value(fields: Mapping[str, Any], column: str) -> str:
    key = next((k for k in fields if k.lower() == column.lower()), None)
    value = fields.get(key) if key is not None else None
    if value is None or (isinstance(value, str) and not value.strip()):
        return _NO_GROUP
    return value.strip() if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _group_dict(group: GroupResult) -> dict[str, Any]:
    def figure(f: Figure) -> dict[str, float | None]:
        return {"auroc": f.value, "low": f.low, "high": f.high}

    c = group.confusion
    return {
        "name": group.name,
        "n": group.size,
        "counts": dict(group.counts),
        "auroc": figure(group.auroc),
        "word_count_auroc": figure(group.baseline),
        "confusion": {
            "threshold": c.threshold,
            "good_as_good": c.good_as_good,
            "good_as_poor": c.good_as_poor,
            "poor_as_good": c.poor_as_good,
            "poor_as_poor": c.poor_as_poor,
            "accuracy": c.accuracy,
            "sensitivity": c.sensitivity,
            "specificity": c.specificity,
        },
        "mean_score": dict(group.mean_score),
        "mean_words": dict(group.mean_words),
        "phenomena_annotated": group.annotated,
        "phenomena": [_code_dict(p) for p in group.phenomena],
        "issues_annotated": group.issues_annotated,
        "issues": [_code_dict(p) for p in group.issues],
    }


def _code_dict(p: CodeFigure) -> dict[str, Any]:
    return {
        "code": p.code,
        "precision": p.precision,
        "recall": p.recall,
        "support": p.support,
        "true_pos": p.true_pos,
        "false_pos": p.false_pos,
        "false_neg": p.false_neg,
    }
