"""The study as a long table, one row per scheduled beep and report attempt: export writes it,
stats and report compute from it (docs/operations.md, "Export")."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections import defaultdict
from collections.abc import Iterator, Mapping
from typing import Any, Final

import attrs

from esm_bot.domain.models import Beep, Report
from esm_bot.domain.schedule import ScheduleError, zone_for
from esm_bot.settings import OpsSettings
from esm_bot.store.base import Store
from esm_bot.study.analytics import PILOT_INDEX_BASE, is_practice

__all__ = [
    "NO_BEEP",
    "PILOT",
    "PRACTICE",
    "SALT_META_KEY",
    "StudyRow",
    "export_salt",
    "parse_since",
    "pseudonym",
    "study_rows",
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
    """One row of the long table (the codebook in :mod:`esm_bot.ops.export` explains each field);
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
