"""The study as a long table, one row per scheduled beep and report attempt (:class:`StudyRow`,
:func:`study_rows`: stats and the report compute from it), and ``esm-bot export``: the rows as CSV
or JSON lines, pseudonymised, with a codebook (what every column and every code means) written
beside an export file or printed by ``--codebook`` (docs/operations.md, "Export")."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Final, TextIO, TypeVar

import attrs

from esm_bot.domain.models import Beep, BeepStatus, Report
from esm_bot.domain.schedule import ScheduleError, zone_for
from esm_bot.settings import OpsSettings
from esm_bot.store.base import Store
from esm_bot.study.analytics import PILOT_INDEX_BASE, is_practice
from esm_validate import ISSUE_CODES, PHENOMENA, QUALITY_LEVELS

__all__ = [
    "NO_BEEP",
    "PILOT",
    "PRACTICE",
    "SALT_META_KEY",
    "StudyRow",
    "build_codebook",
    "columns",
    "export_salt",
    "export_study",
    "export_to_file",
    "parse_since",
    "pseudonym",
    "render_codebook",
    "study_rows",
    "write_atomically",
]

#: Store metadata key of the random salt.
SALT_META_KEY: Final = "export_salt"
#: ``beep_status`` of a practice report's row.
PRACTICE: Final = "practice"
#: ``beep_status`` of a pilot beep's row (a researcher's test beep sent with /pilot).
PILOT: Final = "pilot"
#: ``beep_status`` of a message written when no beep was open (kept, not validated by the bot).
NO_BEEP: Final = "no_beep"


@attrs.frozen
class StudyRow:
    """One row of the long table (the codebook below, :data:`_COLUMNS`, explains each field);
    ``beep`` and ``report`` are the stored records it shows (not exported), which the figures
    judge with the study engine's own rules (:mod:`esm_bot.study.analytics`)."""

    participant: str
    telegram_id: int | None
    study_day: int | None
    training: bool | None
    local_date: dt.date | None
    beep_index: int | None
    beep_status: str
    timezone: str
    scheduled_local: dt.datetime | None
    scheduled_utc: dt.datetime | None
    sent_utc: dt.datetime | None
    answered_utc: dt.datetime | None
    beep: Beep | None = attrs.field(eq=False, repr=False)
    received_utc: dt.datetime | None
    latency_s: float | None
    late: bool | None
    attempt: int | None
    report_text: str | None
    n_chars: int | None
    score: int | None
    quality: str | None
    phenomena: tuple[str, ...] | None
    issue_codes: tuple[str, ...] | None
    validator_source: str | None
    validator_provider: str | None
    validator_model: str | None
    validator_version: str | None
    validator_cached: bool | None
    fallback_reason: str | None
    report: Report | None = attrs.field(eq=False, repr=False)

    @property
    def answered(self) -> bool:
        """True when the row carries a report."""
        return self.report_text is not None

    @property
    def is_study_beep(self) -> bool:
        """True for a study beep's row (not a practice or pilot beep, nor a message without one)."""
        return self.beep_status not in (PRACTICE, PILOT, NO_BEEP)


_NAMES = tuple(field.name for field in attrs.fields(StudyRow))
#: The columns :func:`_beep_fields` and :func:`_report_fields` fill (after the participant's two).
_BEEP_COLUMNS = _NAMES[2 : _NAMES.index("received_utc")]
_REPORT_COLUMNS = _NAMES[_NAMES.index("received_utc") :]


def export_salt(store: Store, environ: Mapping[str, str]) -> str:
    """Return the pseudonym salt: ``ESM_EXPORT_SALT``, else a random one persisted in the store."""
    configured = OpsSettings.from_env(environ).export_salt
    if configured:
        return configured
    stored = store.get_meta(SALT_META_KEY)
    if isinstance(stored, str) and stored:
        return stored
    salt = secrets.token_hex(16)
    store.set_meta(SALT_META_KEY, salt)
    again = store.get_meta(SALT_META_KEY)
    return again if isinstance(again, str) and again else salt


def pseudonym(participant_id: str, salt: str) -> str:
    """Return the stable pseudonym of a participant (``p_`` + 12 hex digits of an HMAC-SHA256)."""
    digest = hmac.new(salt.encode(), participant_id.encode(), hashlib.sha256).hexdigest()
    return f"p_{digest[:12]}"


def parse_since(value: str) -> dt.datetime:
    """Parse ``--since``: a date (``2026-05-01``, midnight UTC) or an ISO datetime (naive is UTC);
    ValueError with a message that says what is expected."""
    try:
        moment = dt.datetime.fromisoformat(value.strip())  # a date alone is its midnight
    except ValueError:
        raise ValueError(
            f"--since expects a date like 2026-05-01 or an ISO datetime, got {value!r}"
        ) from None
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def _zone(name: str) -> dt.tzinfo:
    try:
        return zone_for(name)  # an IANA name or a fixed offset such as UTC+05:30
    except ScheduleError:
        return dt.UTC


def _report_fields(report: Report | None) -> dict[str, Any]:
    if report is None:
        return dict.fromkeys(_REPORT_COLUMNS)
    assessment = report.assessment or {}
    return {
        "received_utc": report.received_at,
        "latency_s": report.latency_s,
        "late": report.late,
        "attempt": report.attempt,
        "report_text": report.text,
        "n_chars": len(report.text),
        "score": report.score,
        "quality": report.quality,
        "phenomena": tuple(sorted(report.phenomena)),
        "issue_codes": tuple(report.issue_codes),
        "validator_source": report.source,
        "validator_provider": assessment.get("provider") or report.source,
        "validator_model": assessment.get("model"),
        "validator_version": report.validator_version or assessment.get("version") or None,
        "validator_cached": bool(assessment.get("cached", False)),
        "fallback_reason": report.fallback_reason,
        "report": report,
    }


def _beep_fields(beep: Beep | None, tz: str) -> dict[str, Any]:
    if beep is None:
        return {**dict.fromkeys(_BEEP_COLUMNS), "beep_status": NO_BEEP, "timezone": tz}
    zone_name = beep.tz if beep.tz and beep.tz != "UTC" else tz
    status = PRACTICE if is_practice(beep) else beep.status.value
    return {
        "study_day": beep.study_day,
        "training": beep.training,
        "local_date": beep.local_date,
        "beep_index": beep.index,
        "beep_status": PILOT if beep.index >= PILOT_INDEX_BASE else status,
        "timezone": zone_name,
        "scheduled_local": beep.scheduled_at.astimezone(_zone(zone_name)),
        "scheduled_utc": beep.scheduled_at,
        "sent_utc": beep.sent_at,
        "answered_utc": beep.answered_at,
        "beep": beep,
    }


def study_rows(
    store: Store,
    *,
    since: dt.datetime | None = None,
    raw_ids: bool = False,
    salt: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Iterator[StudyRow]:
    """Yield the rows per participant: beeps in time order with their attempts, then the reports
    without a beep (``salt`` defaults to :func:`export_salt` of ``environ``, else the stored)."""
    if not raw_ids and salt is None:
        salt = export_salt(store, environ or {})
    for person in store.list_participants():
        by_beep: dict[str, list[Report]] = defaultdict(list)
        loose: list[Report] = []
        for report in store.reports_for(person.id):
            if report.beep_id is not None:
                by_beep[report.beep_id].append(report)
            elif since is None or report.received_at >= since:
                loose.append(report)
        pairs: list[tuple[Beep | None, Report | None]] = [
            (beep, answer)
            for beep in store.beeps_for(person.id, since=since)
            for answer in sorted(by_beep[beep.id], key=lambda r: (r.attempt, r.received_at))
            or (None,)
        ]
        pairs += [(None, report) for report in sorted(loose, key=lambda r: r.received_at)]
        for beep, answer in pairs:
            yield StudyRow(
                participant=person.id if raw_ids else pseudonym(person.id, salt or ""),
                telegram_id=person.telegram_id if raw_ids else None,
                **_beep_fields(beep, person.tz),
                **_report_fields(answer),
            )


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
    kind = "json" if format == "jsonl" else "md"
    book = path.with_name(f"{path.name}.codebook.{kind}")
    text = render_codebook(build_codebook(raw_ids=raw_ids), kind)
    write_atomically(book, lambda handle: handle.write(text))
    return count, book
