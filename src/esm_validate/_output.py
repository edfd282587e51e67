"""Write assessments as a readable table, JSON, JSON Lines or CSV, one report at a time."""

from __future__ import annotations

import csv
import json
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final, Protocol, TextIO

import attrs

from ._types import Assessment

__all__ = [
    "FORMATS",
    "RESULT_COLUMNS",
    "CsvWriter",
    "JsonLinesWriter",
    "JsonWriter",
    "TableWriter",
    "Writer",
    "flat_columns",
    "merge_fields",
]

#: The output formats of the command line.
FORMATS: Final = ("table", "json", "jsonl", "csv")
#: The columns added to each report, in order.
RESULT_COLUMNS: Final = (
    "score",
    "quality",
    "phenomena",
    "issue_codes",
    "main_issue",
    "feedback",
    "lang",
    "source",
)
_JOINER = ";"


def flat_columns(assessment: Assessment) -> dict[str, str | int]:
    """One assessment as flat result columns (lists ``;``-joined, phenomena sorted)."""
    main = assessment.main_issue
    return {
        "score": assessment.score,
        "quality": assessment.quality,
        "phenomena": _JOINER.join(sorted(assessment.phenomena)),
        "issue_codes": _JOINER.join(assessment.issue_codes),
        "main_issue": main.code if main else "",
        "feedback": assessment.feedback,
        "lang": assessment.lang,
        "source": assessment.source,
    }


def _json_columns(assessment: Assessment) -> dict[str, Any]:
    main = assessment.main_issue
    return {
        "score": assessment.score,
        "quality": assessment.quality,
        "phenomena": sorted(assessment.phenomena),
        "issue_codes": list(assessment.issue_codes),
        "main_issue": main.code if main else None,
        "feedback": assessment.feedback,
        "lang": assessment.lang,
        "source": assessment.source,
        "fallback_reason": assessment.fallback_reason,
        "issues": assessment.to_dict()["issues"],
    }


def input_name(column: str, taken: Iterable[str]) -> str:
    """The name an input column keeps when a result column has its name: ``score_input``, ..."""
    taken = set(taken)
    name = f"{column}_input"
    while name in taken:
        name += "_input"
    return name


def merge_fields(fields: Mapping[str, Any], results: Mapping[str, Any]) -> dict[str, Any]:
    """Original fields followed by the results; a clashing original is kept as ``<name>_input``.

    Nothing is lost: validating an already validated file keeps its earlier results.
    """
    merged: dict[str, Any] = {}
    for key, value in fields.items():
        merged[input_name(key, fields) if key in results else key] = value
    merged.update(results)
    return merged


class Writer(Protocol):
    """**Protocol**: writes one row per report, then a closing part."""

    def write(self, fields: Mapping[str, Any], assessment: Assessment) -> None:
        """Write one report's row."""

    def close(self) -> None:
        """Finish the output (closing bracket, summary...)."""


@attrs.define
class JsonLinesWriter:
    """One JSON object per line: the original fields, then the results."""

    out: TextIO

    def write(self, fields: Mapping[str, Any], assessment: Assessment) -> None:
        """Write one report as one line of JSON."""
        row = merge_fields(fields, _json_columns(assessment))
        self.out.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")

    def close(self) -> None:
        """Nothing to close."""


@attrs.define
class JsonWriter:
    """One JSON array of objects, streamed element by element."""

    out: TextIO
    _count: int = attrs.field(default=0, init=False)

    def write(self, fields: Mapping[str, Any], assessment: Assessment) -> None:
        """Write one element of the array."""
        row = merge_fields(fields, _json_columns(assessment))
        self.out.write(
            ("[\n  " if self._count == 0 else ",\n  ")
            + json.dumps(row, ensure_ascii=False, default=str)
        )
        self._count += 1

    def close(self) -> None:
        """Close the array (``[]`` when there were no reports)."""
        self.out.write("[]\n" if self._count == 0 else "\n]\n")


@attrs.define
class CsvWriter:
    """CSV with the original columns first, then :data:`RESULT_COLUMNS`."""

    out: TextIO
    columns: Sequence[str]
    delimiter: str = ","
    _writer: Any = attrs.field(default=None, init=False)

    def __attrs_post_init__(self) -> None:
        results = dict.fromkeys(RESULT_COLUMNS, "")
        header = list(merge_fields(dict.fromkeys(self.columns, ""), results))
        self._writer = csv.DictWriter(
            self.out,
            fieldnames=header,
            delimiter=self.delimiter,
            lineterminator="\n",
            extrasaction="ignore",
        )
        self._writer.writeheader()

    def write(self, fields: Mapping[str, Any], assessment: Assessment) -> None:
        """Write one row; missing original columns stay empty."""
        row = merge_fields(fields, flat_columns(assessment))
        self._writer.writerow({k: _cell(v) for k, v in row.items()})

    def close(self) -> None:
        """Nothing to close."""


def _cell(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float):
        return "" if value is None else value
    return json.dumps(value, ensure_ascii=False, default=str)


# --- the table ---

_RESET = "\033[0m"
_DIM = "\033[2m"
_BOLD = "\033[1m"
_QUALITY_COLOURS: Final = {
    "pristine": "\033[1;32m",
    "excellent": "\033[32m",
    "good": "\033[36m",
    "fair": "\033[33m",
    "poor": "\033[31m",
    "garbage": "\033[1;31m",
}


def display_width(text: str) -> int:
    """Columns *text* takes on a terminal (wide East Asian characters and emoji count two)."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch) or ch in "\u200b\u200d\ufe0f":
            continue
        width += 2 if unicodedata.east_asian_width(ch) in {"W", "F"} else 1
    return width


def fit(text: str, width: int) -> str:
    """One line of *text*, cut with an ellipsis to *width* columns and padded to it."""
    text = " ".join(text.split())
    if display_width(text) > width:
        kept, used = [], 0
        for ch in text:
            w = display_width(ch)
            if used + w > width - 1:
                break
            kept.append(ch)
            used += w
        text = "".join(kept) + "…"
    return text + " " * max(0, width - display_width(text))


@attrs.define
class TableWriter:
    """A table readable at a glance; colour only when asked (the CLI asks on a terminal)."""

    out: TextIO
    width: int = 100
    colour: bool = False
    #: The CSV column / JSONL field that holds the report (``--column``), matched ignoring case.
    text_column: str = "text"
    _count: int = attrs.field(default=0, init=False)
    _total: int = attrs.field(default=0, init=False)
    _qualities: dict[str, int] = attrs.field(factory=dict, init=False)

    _NUM = 4
    _SCORE = 5
    _QUALITY = 9
    _PHENOMENA = 24
    _ISSUE = 20

    def _text_width(self) -> int:
        fixed = self._NUM + self._SCORE + self._QUALITY + self._PHENOMENA + self._ISSUE + 5 * 2
        return max(20, self.width - fixed)

    def _line(self, cells: Sequence[str]) -> str:
        return "  ".join(cells).rstrip()

    def _header(self) -> None:
        cells = [
            "#".rjust(self._NUM),
            "score",
            fit("quality", self._QUALITY),
            fit("phenomena", self._PHENOMENA),
            fit("main issue", self._ISSUE),
            "text",
        ]
        line = self._line(cells)
        self.out.write((f"{_BOLD}{line}{_RESET}" if self.colour else line) + "\n")

    def write(self, fields: Mapping[str, Any], assessment: Assessment) -> None:
        """Write one row (the header before the first)."""
        if self._count == 0:
            self._header()
        self._count += 1
        self._total += assessment.score
        self._qualities[assessment.quality] = self._qualities.get(assessment.quality, 0) + 1
        main = assessment.main_issue
        quality = fit(assessment.quality, self._QUALITY)
        if self.colour:
            quality = f"{_QUALITY_COLOURS.get(assessment.quality, '')}{quality}{_RESET}"
        text = str(_text_of(fields, self.text_column) or "")
        cells = [
            str(self._count).rjust(self._NUM),
            str(assessment.score).rjust(self._SCORE),
            quality,
            fit(", ".join(sorted(assessment.phenomena)) or "-", self._PHENOMENA),
            fit(main.code if main else "-", self._ISSUE),
            fit(text, self._text_width()),
        ]
        self.out.write(self._line(cells) + "\n")

    def close(self) -> None:
        """Write a one-line summary: count, mean score and reports per quality."""
        if self._count == 0:
            self.out.write("no reports\n")
            return
        mean = self._total / self._count
        counts = ", ".join(
            f"{q} {self._qualities[q]}" for q in _QUALITY_ORDER if q in self._qualities
        )
        plural = "s" if self._count != 1 else ""
        summary = f"{self._count} report{plural}, mean score {mean:.1f} ({counts})"
        self.out.write("\n" + (f"{_DIM}{summary}{_RESET}" if self.colour else summary) + "\n")


def _text_of(fields: Mapping[str, Any], column: str) -> Any:
    """The report text among a record's fields: ``column`` (any case), else ``text``."""
    for name in (column, "text"):
        wanted = name.lower()
        for key, value in fields.items():
            if key.lower() == wanted:
                return value
    return None


_QUALITY_ORDER: Final = ("pristine", "excellent", "good", "fair", "poor", "garbage")
