"""Labelled reports: read them from CSV or JSON Lines, and score them with any validator."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from esm_validate._io import (
    CSV_SUFFIXES,
    JSONL_SUFFIXES,
    TEXT_COLUMN,
    InputError,
    Record,
    open_path,
)
from esm_validate._types import PHENOMENA, Assessment

from .stats import word_count

__all__ = ["LABELS", "LABEL_ORDER", "EvalRow", "ScoredRow", "read_rows", "score_rows"]

#: Accepted labels and the class each belongs to (None: shown in means, left out of AUROC).
LABELS: Mapping[str, str | None] = {
    "good": "good",
    "excellent": "good",
    "poor": "poor",
    "mid": None,
}
#: Labels in the order figures list them, worst first.
LABEL_ORDER = ("poor", "mid", "good", "excellent")


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
