"""Measure a validator on a researcher's own labelled reports (``esm-validate --evaluate FILE``).

The file is CSV or JSON Lines with a ``text`` and a ``label`` (``good`` / ``poor``; ``excellent``
counts as good, ``mid`` is shown in the score means but left out of AUROC and the confusion), and
optionally ``phenomena`` and ``issues`` (a JSON list, or ``;``/``,``-separated in CSV), ``lang`` and
``day``.

Everything here but :func:`read_rows` is a pure function of its arguments: the bootstrap takes an
injected :class:`random.Random`, so a fixed seed gives the same figures on every run.
"""

from __future__ import annotations

import functools
import json
import math
import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from ._io import CSV_SUFFIXES, JSONL_SUFFIXES, TEXT_COLUMN, InputError, Record, open_path
from ._types import ISSUE_CODES, PHENOMENA, Assessment

__all__ = [
    "DEFAULT_RESAMPLES",
    "DEFAULT_SEED",
    "LABELS",
    "CodeFigure",
    "Confusion",
    "EvalRow",
    "Evaluation",
    "Figure",
    "GroupResult",
    "PhenomenonFigure",
    "ScoredRow",
    "auroc",
    "bootstrap_interval",
    "evaluate",
    "read_rows",
    "render_table",
    "score_rows",
    "word_count",
]

#: Accepted labels and the class each belongs to (None: shown in means, left out of AUROC).
LABELS: Mapping[str, str | None] = {
    "good": "good",
    "excellent": "good",
    "poor": "poor",
    "mid": None,
}
#: The seed used when none is given, so that the same file gives the same interval every run.
DEFAULT_SEED = 13
#: Bootstrap resamples used when none is given.
DEFAULT_RESAMPLES = 1000
_LABEL_ORDER = ("poor", "mid", "good", "excellent")
_NO_GROUP = "(none)"


@attrs.frozen
class EvalRow:
    """One labelled report.

    Attributes:
        text: The report.
        label: ``good``, ``excellent``, ``poor`` or ``mid`` (lower case).
        phenomena: The expected phenomenon codes, or None when the row does not say.
        issues: The expected issue codes, or None when the row does not say.
        lang: ``ru`` / ``en``, or None to detect.
        day: The training day to judge by, or None (day-3 rules).
        fields: Every original column or field (for ``--group-by``).
        origin: ``file:line``, for messages.
    """

    text: str
    label: str
    phenomena: frozenset[str] | None = None
    issues: frozenset[str] | None = None
    lang: str | None = None
    day: int | None = None
    fields: Mapping[str, Any] = attrs.field(factory=dict)
    origin: str = ""

    @property
    def category(self) -> str | None:
        """``good`` or ``poor`` for AUROC and the confusion; None for ``mid``."""
        return LABELS[self.label]


@attrs.frozen
class ScoredRow:
    """A labelled report with what the validator said about it.

    Attributes:
        row: The labelled report.
        score: The validator's 0..100 score.
        found: The phenomena the validator found.
        found_issues: The issue codes the validator raised.
        words: Whitespace-separated words in the text (the baseline's score).
    """

    row: EvalRow
    score: int
    found: frozenset[str]
    words: int
    found_issues: frozenset[str] = frozenset()


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


# --- pure statistics ---


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def word_count(text: str) -> int:
    """Whitespace-separated words: the baseline every figure is shown beside."""
    return len(text.split())


def auroc(positives: Sequence[float], negatives: Sequence[float]) -> float | None:
    """Probability that a random positive scores above a random negative, ties counting half.

    Computed from mid-ranks (the Mann-Whitney U statistic) in O(n log n). None when either side is
    empty.
    """
    n_pos, n_neg = len(positives), len(negatives)
    if not n_pos or not n_neg:
        return None
    pooled = sorted(
        [(value, True) for value in positives] + [(value, False) for value in negatives]
    )
    rank_sum = 0.0
    start = 0
    while start < len(pooled):
        end = start
        while end + 1 < len(pooled) and pooled[end + 1][0] == pooled[start][0]:
            end += 1
        mid_rank = (start + end) / 2 + 1  # ranks are 1-based
        rank_sum += mid_rank * sum(1 for _, positive in pooled[start : end + 1] if positive)
        start = end + 1
    return (rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def bootstrap_interval(
    positives: Sequence[float],
    negatives: Sequence[float],
    *,
    rng: random.Random,
    resamples: int = DEFAULT_RESAMPLES,
    level: float = 0.95,
) -> tuple[float, float] | None:
    """A percentile bootstrap interval of :func:`auroc`.

    Stratified: each resample draws the positives from the positives and the negatives from the
    negatives, with replacement, so every resample keeps both classes and their sizes. None when a
    class is empty or ``resamples`` is 0.
    """
    if not positives or not negatives or resamples <= 0:
        return None
    values = sorted(
        auroc(rng.choices(positives, k=len(positives)), rng.choices(negatives, k=len(negatives)))
        or 0.0
        for _ in range(resamples)
    )
    tail = (1 - level) / 2
    return _percentile(values, tail), _percentile(values, 1 - tail)


def _percentile(ordered: Sequence[float], q: float) -> float:
    """The q-quantile of sorted values, interpolating linearly between neighbours."""
    position = q * (len(ordered) - 1)
    below = math.floor(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


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
    return {label: sum(v) / len(v) for label in _LABEL_ORDER if (v := by_label.get(label))}


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
    counts = {
        label: n for label in _LABEL_ORDER if (n := sum(s.row.label == label for s in scored))
    }
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


# --- scoring ---


def score_rows(
    rows: Iterable[EvalRow], assess: Callable[[str, str | None, int | None], Assessment]
) -> tuple[ScoredRow, ...]:
    """Assess every row with ``assess(text, lang, day)`` (a validator's ``validate``, say)."""
    scored = []
    for row in rows:
        assessment = assess(row.text, row.lang, row.day)
        scored.append(
            ScoredRow(
                row=row,
                score=assessment.score,
                found=frozenset(assessment.phenomena),
                found_issues=frozenset(assessment.issue_codes),
                words=word_count(row.text),
            )
        )
    return tuple(scored)


# --- reading ---


def read_rows(
    path: str | Path, *, column: str = TEXT_COLUMN, encoding: str = "utf-8-sig"
) -> tuple[EvalRow, ...]:
    """Read labelled reports from a CSV/TSV or JSON Lines file.

    Raises:
        InputError: The file cannot be read, is neither CSV nor JSONL, or a row has no valid label,
            an unknown phenomenon code, language or day (the message names the line).
    """
    name = str(path)
    suffix = Path(path).suffix.lower()
    if suffix not in CSV_SUFFIXES | JSONL_SUFFIXES:
        raise InputError(
            f"{name}: --evaluate needs a .csv, .tsv or .jsonl file with 'text' and 'label'"
        )
    source = open_path(path, column=column, encoding=encoding)
    if suffix in CSV_SUFFIXES and not any(c.lower() == "label" for c in source.columns):
        raise InputError(f"{name}: no 'label' column (columns: {', '.join(source.columns)})")
    return tuple(_row(record) for record in source.reports())


def _field(fields: Mapping[str, Any], name: str) -> Any:
    key = next((k for k in fields if k.lower() == name), None)
    return None if key is None else fields[key]


def _row(record: Record) -> EvalRow:
    fields = record.fields
    return EvalRow(
        text=record.text,
        label=_label(_field(fields, "label"), record.origin),
        phenomena=_codes_field(fields, "phenomena", record.origin, known=PHENOMENA),
        issues=_codes_field(fields, "issues", record.origin, known=None),
        lang=_lang(_field(fields, "lang"), record.origin),
        day=_day(_field(fields, "day"), record.origin),
        fields=fields,
        origin=record.origin,
    )


def _label(value: Any, origin: str) -> str:
    label = value.strip().lower() if isinstance(value, str) else ""
    if label not in LABELS:
        shown = "missing" if value in (None, "") else repr(value)
        raise InputError(f"{origin}: label is {shown}; expected good, excellent, poor or mid")
    return label


def _codes_field(
    fields: Mapping[str, Any], name: str, origin: str, *, known: Sequence[str] | None
) -> frozenset[str] | None:
    """A set of codes from a list or a ``;``/``,``-separated string (None: not annotated).

    Phenomenon codes must be known (a typo would count as a miss); issue codes may be any
    identifier, since custom rules add their own.
    """
    value = _field(fields, name)
    if value is None:  # no column, or JSON null: not annotated
        return None
    if isinstance(value, str):
        codes = [part.strip() for part in value.replace(";", ",").split(",")]
    elif isinstance(value, list) and all(isinstance(part, str) for part in value):
        codes = [part.strip() for part in value]
    else:
        raise InputError(f"{origin}: {name} must be a list of codes or a ';'-separated string")
    found = frozenset(code.lower() for code in codes if code)
    if known is not None:
        unknown = sorted(found - set(known))
        if unknown:
            raise InputError(
                f"{origin}: unknown phenomenon {unknown[0]!r}; known: {', '.join(known)}"
            )
    elif bad := sorted(code for code in found if not code.replace("_", "").isalnum()):
        raise InputError(f"{origin}: {bad[0]!r} is not an issue code (letters, digits and _)")
    return found


def _lang(value: Any, origin: str) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    lang = value.strip().lower() if isinstance(value, str) else None
    if lang not in ("ru", "en"):
        raise InputError(f"{origin}: lang is {value!r}; expected ru, en or empty")
    return lang


def _day(value: Any, origin: str) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        day = int(value.strip()) if isinstance(value, str) else value
    except ValueError:
        day = None
    if isinstance(day, bool) or not isinstance(day, int) or day < 1:
        raise InputError(f"{origin}: day is {value!r}; expected a whole number from 1, or empty")
    return day


# --- output ---


def _fmt(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _fmt_figure(figure: Figure) -> str:
    if figure.value is None:
        return "n/a (needs good and poor)"
    if figure.low is None or figure.high is None:
        return _fmt(figure.value)
    return f"{_fmt(figure.value)} [{_fmt(figure.low)}, {_fmt(figure.high)}]"


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


def render_table(evaluation: Evaluation, *, threshold_note: str = "") -> str:
    """Render an evaluation as plain text for a terminal."""
    lines = [
        f"Evaluation of {evaluation.source or 'the input'}",
        f"threshold: score >= {evaluation.threshold} is called good"
        + (f" ({threshold_note})" if threshold_note else ""),
        f"intervals: {evaluation.level:.0%} percentile bootstrap, {evaluation.resamples} "
        f"stratified resamples, seed {evaluation.seed}",
        "",
    ]
    lines += _render_group(evaluation.overall)
    for group in evaluation.groups:
        lines += ["", f"--- {evaluation.group_by} = {group.name} ---"]
        lines += _render_group(group)
    return "\n".join(lines) + "\n"


def _render_group(group: GroupResult) -> list[str]:
    counts = ", ".join(f"{label} {n}" for label, n in group.counts.items())
    c = group.confusion
    lines = [
        f"reports: {group.size} ({counts})",
        f"{'':28}{'validator':<28}word count alone",
        f"{'AUROC good vs poor':<28}{_fmt_figure(group.auroc):<28}{_fmt_figure(group.baseline)}",
    ]
    for label, mean in group.mean_score.items():
        words = group.mean_words[label]
        lines.append(f"{'mean ' + label:<28}{mean:<28.1f}{words:.1f} words")
    lines += [
        "",
        f"{'confusion at ' + str(c.threshold):<28}{'called good':>11}  {'called poor':>11}",
        f"{'  good (incl. excellent)':<28}{c.good_as_good:>11}  {c.good_as_poor:>11}",
        f"{'  poor':<28}{c.poor_as_good:>11}  {c.poor_as_poor:>11}",
        f"  accuracy {_fmt(c.accuracy)}, sensitivity {_fmt(c.sensitivity)}, "
        f"specificity {_fmt(c.specificity)}",
    ]
    lines += _render_codes("phenomena", group.phenomena, group.annotated)
    if group.issues:
        lines += _render_codes("issues", group.issues, group.issues_annotated)
    return lines


def _render_codes(name: str, figures: Sequence[CodeFigure], annotated: int) -> list[str]:
    if not figures:
        return ["", f"{name}: no row gives a {name!r} column"]
    title = f"{name} ({annotated} annotated rows)"
    lines = ["", f"{title:<30}{'precision':>11}{'recall':>8}{'expected':>10}"]
    for p in figures:
        lines.append(f"  {p.code:<28}{_fmt(p.precision):>11}{_fmt(p.recall):>8}{p.support:>10}")
    return lines
