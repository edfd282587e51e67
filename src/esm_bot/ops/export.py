"""``esm-bot export``: the study's rows as CSV or JSON lines, pseudonymised, with a codebook
(what every column and every code means) written beside an export file or printed by
``--codebook``."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final, TextIO, TypeVar

from esm_bot.domain.models import BeepStatus
from esm_bot.store.base import Store
from esm_validate import ISSUE_CODES, PHENOMENA, QUALITY_LEVELS

from .rows import NO_BEEP, PILOT, PRACTICE, study_rows

__all__ = [
    "build_codebook",
    "codebook_path",
    "columns",
    "export_study",
    "export_to_file",
    "render_codebook",
    "write_atomically",
]

_FORMATS: Final = ("csv", "jsonl")
T = TypeVar("T")


#: Every export column: (name, type, meaning). ``telegram_id`` appears only with ``--raw-ids``.
_COLUMNS: Final[tuple[tuple[str, str, str], ...]] = (
    ("participant", "string", "Salted pseudonym p_xxxxxxxxxxxx (internal id with --raw-ids)"),
    ("telegram_id", "integer", "Telegram user id (only with --raw-ids)"),
    ("study_day", "integer", "Study day of the beep, 1-based; training days come first"),
    ("training", "boolean", "The beep fell on a training day"),
    ("local_date", "date", "The participant's local day the beep belongs to"),
    ("beep_index", "integer", "Position of the beep in that day's plan, 0-based"),
    ("beep_status", "code", "Beep lifecycle status (see beep statuses)"),
    ("timezone", "string", "IANA time zone the beep was planned in"),
    ("scheduled_local", "datetime", "Scheduled beep time in the participant's zone (ISO 8601)"),
    ("scheduled_utc", "datetime", "Scheduled beep time in UTC (ISO 8601)"),
    ("sent_utc", "datetime", "When Telegram accepted the beep message (UTC)"),
    ("answered_utc", "datetime", "When the first report to the beep arrived (UTC)"),
    ("received_utc", "datetime", "When this row's report arrived (UTC)"),
    ("latency_s", "number", "Seconds from the beep to this report"),
    ("late", "boolean", "The report came after the answer window closed"),
    ("attempt", "integer", "1, or 2 for the retry offered on a training day (both kept)"),
    ("report_text", "string", "The report exactly as the participant wrote it"),
    ("n_chars", "integer", "Length of the report in characters"),
    ("score", "integer", "Validator score 0..100 (fidelity to Hurlburt's criteria)"),
    ("quality", "code", "Quality label from the score (see quality labels)"),
    ("phenomena", "codes", "Phenomena found (see phenomena); ';'-separated in CSV"),
    ("issue_codes", "codes", "Issues found, most important first; ';'-separated in CSV"),
    ("validator_source", "code", "local (rule-based) or ai"),
    ("validator_provider", "string", "Backend that answered: local, openai, anthropic, compatible"),
    ("validator_model", "string", "AI model name, when AI answered"),
    ("validator_version", "string", "Version of the validator that produced the score"),
    ("validator_cached", "boolean", "The AI answer came from the cache"),
    ("fallback_reason", "code", "Why local validation answered instead of AI (see fallbacks)"),
)

#: Meaning of each issue code.
_ISSUES: Final[Mapping[str, str]] = {
    "empty": "No report text",
    "too_short": "Too short to describe a moment of experience",
    "avoidance": "Avoids the moment ('nothing special', 'as usual')",
    "generalization": "Describes habits instead of the moment ('I always', 'usually')",
    "not_momentary": "A period, the past or the future instead of the moment of the beep",
    "theorizing": "Causal explanation or interpretation instead of description",
    "hedging": "Subjunctification: maybe, probably, I guess",
    "behavior_only": "Activity or context without any experience",
    "unspecified_thinking": "'I was thinking about X' without the form of the thought",
    "reaction_to_beep": "Describes the reaction to the beep rather than what was there before it",
    "abstract_label": "An emotion or evaluation label with no experiential detail",
    "reading_inner_voice": "Claims an inner voice while reading: a prompt for a follow-up question",
    "inferred": "Experience inferred rather than apprehended ('I must have been...')",
    "presupposition": "A form (inner speech, an image) named without its content: ask for it",
}

#: Meaning of each phenomenon code (Heavey & Hurlburt 2008; the DES codebook).
_PHENOMENA: Final[Mapping[str, str]] = {
    "inner_speech": "Inner speaking: words spoken innerly, usually in one's own voice (norm 26%)",
    "inner_seeing": "Inner seeing: an imaginary visual experience (norm 34%)",
    "unsymbolized_thinking": "A thought without words, images or other symbols (norm 22%)",
    "feeling": "The experiential aspect of an emotion (norm 26%)",
    "sensory_awareness": "Direct focus on a sensory aspect of body or environment (norm 22%)",
    "inner_hearing": "Hearing something innerly that is not speaking (a tune, a voice)",
    "just_doing": "Only the doing was there: the activity with no other inner experience",
}

#: Meaning of each beep status.
_BEEP_STATUSES: Final[Mapping[str, str]] = {
    BeepStatus.SCHEDULED.value: "Planned, not sent yet",
    BeepStatus.SENT.value: "Delivered, waiting for the report",
    BeepStatus.ANSWERED.value: "A report arrived (on time or late)",
    BeepStatus.EXPIRED.value: "Delivered, the answer window closed without a report",
    BeepStatus.MISSED.value: "Never delivered (participant unreachable, or too late to send)",
    BeepStatus.CANCELLED.value: "Withdrawn before sending (pause, withdrawal, re-planning)",
    PRACTICE: "A practice beep the participant asked for (does not count for the study)",
    PILOT: "A pilot beep a researcher sent with /pilot to try the study (not study data)",
    NO_BEEP: "Not a beep: a message written when no beep was open (kept, not validated)",
}

_FALLBACKS: Final[Mapping[str, str]] = {
    "rate_limited": "The participant's AI quota per minute was used up",
    "ai_unavailable": "The AI service failed (connection error, 5xx, 429)",
    "ai_timeout": "The AI service did not answer in time",
    "ai_invalid_answer": "The AI answer did not fit the schema",
    "ai_auth": "The AI key was refused",
}


def columns(*, raw_ids: bool = False) -> tuple[str, ...]:
    """Return the export's column names (``telegram_id`` only with ``raw_ids``)."""
    return tuple(name for name, _, _ in _COLUMNS if raw_ids or name != "telegram_id")


def build_codebook(*, raw_ids: bool = False) -> dict[str, Any]:
    """Return the codebook as a JSON-ready dict (columns, codes, pseudonymisation)."""
    names = set(columns(raw_ids=raw_ids))
    highs = [low - 1 for _, low in QUALITY_LEVELS[1:]] + [100]
    return {
        "format": "long: one row per scheduled beep and report attempt, missed beeps included",
        "pseudonymisation": (
            "Telegram ids are removed; participants are named p_ + the first 12 hex digits of "
            "HMAC-SHA256(salt, internal id). The salt comes from ESM_EXPORT_SALT or a random salt "
            "kept in the store, so pseudonyms are stable across exports of one study."
            if not raw_ids
            else "Raw ids: participant is the internal id and telegram_id is included."
        ),
        "columns": [{"name": n, "type": t, "meaning": m} for n, t, m in _COLUMNS if n in names],
        "issue_codes": {code: _ISSUES.get(code, "") for code in ISSUE_CODES},
        "phenomena": {code: _PHENOMENA.get(code, "") for code in PHENOMENA},
        "quality_labels": {
            label: f"score {low}-{high}"
            for (label, low), high in zip(QUALITY_LEVELS, highs, strict=True)
        },
        "beep_statuses": dict(_BEEP_STATUSES),
        "fallback_reasons": dict(_FALLBACKS),
    }


def _md_table(title: str, header: tuple[str, ...], rows: Iterable[Sequence[str]]) -> list[str]:
    lines = [f"## {title}", "", f"| {' | '.join(header)} |", "|" + " --- |" * len(header)]
    lines += [f"| `{first}` | {' | '.join(rest)} |" for first, *rest in rows]
    return [*lines, ""]


def render_codebook(codebook: Mapping[str, Any], fmt: str = "md") -> str:
    """Render a codebook as Markdown (``md``) or JSON (``json``)."""
    if fmt == "json":
        return json.dumps(codebook, ensure_ascii=False, indent=2) + "\n"
    lines = ["# Codebook of the esm-bot export", "", str(codebook["format"]), ""]
    lines += ["## Pseudonymisation", "", str(codebook["pseudonymisation"]), ""]
    columns = [(c["name"], c["type"], c["meaning"]) for c in codebook["columns"]]
    lines += _md_table("Columns", ("column", "type", "meaning"), columns)
    for title, header, key in (
        ("Issue codes", ("code", "meaning"), "issue_codes"),
        ("Phenomena", ("code", "meaning"), "phenomena"),
        ("Quality labels", ("label", "range"), "quality_labels"),
        ("Beep statuses", ("status", "meaning"), "beep_statuses"),
        ("Fallback reasons", ("reason", "meaning"), "fallback_reasons"),
    ):
        lines += _md_table(title, header, codebook[key].items())
    return "\n".join(lines)


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return list(value) if isinstance(value, tuple) else value


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return ";".join(str(v) for v in value)
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".")
    return str(_json_value(value))


def export_study(
    store: Store,
    out: TextIO,
    *,
    format: str = "csv",
    since: dt.datetime | None = None,
    raw_ids: bool = False,
    salt: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    """Write the study to ``out`` (open files with ``newline=""``) as ``csv`` or ``jsonl``; return
    the number of rows (options: docs/operations.md, "Export"; ValueError: an unknown format)."""
    if format not in _FORMATS:
        raise ValueError(f"format must be one of {', '.join(_FORMATS)}, got {format!r}")
    names = columns(raw_ids=raw_ids)
    env = os.environ if environ is None else environ
    rows = study_rows(store, since=since, raw_ids=raw_ids, salt=salt, environ=env)
    writer = csv.writer(out, lineterminator="\n")
    if format == "csv":
        writer.writerow(names)
    count = 0
    for row in rows:
        count += 1
        if format == "csv":
            writer.writerow([_csv_value(getattr(row, name)) for name in names])
        else:
            record = {name: _json_value(getattr(row, name)) for name in names}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    out.flush()
    return count


def codebook_path(path: Path, format: str) -> Path:
    """Return where the codebook of an export file goes (``FILE.codebook.md`` or ``.json``)."""
    suffix = ".codebook.json" if format == "jsonl" else ".codebook.md"
    return path.with_name(path.name + suffix)


def write_atomically(path: Path, write: Callable[[TextIO], T]) -> T:
    """Write a text file through a temporary file renamed into place (never half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            result = write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return result


def export_to_file(
    store: Store, path: Path, *, format: str = "csv", raw_ids: bool = False, **options: Any
) -> tuple[int, Path]:
    """Write the export to ``path`` and its codebook beside it; return (rows, codebook path).
    ``options`` are :func:`export_study`'s ``since``, ``salt`` and ``environ``."""
    count = write_atomically(
        path,
        lambda out: export_study(store, out, format=format, raw_ids=raw_ids, **options),
    )
    book = codebook_path(path, format)
    text = render_codebook(build_codebook(raw_ids=raw_ids), "json" if format == "jsonl" else "md")
    write_atomically(book, lambda handle: handle.write(text))
    return count, book
