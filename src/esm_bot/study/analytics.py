"""Pure summaries of beeps and reports (quality, phenomena, compliance, hints)."""

from __future__ import annotations

import collections
import datetime as dt
import statistics
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Final

import attrs

from esm_bot.domain.models import Beep, BeepStatus, CommonPatterns, Report

__all__ = [
    "PHENOMENA_NORMS",
    "PILOT_INDEX_BASE",
    "PRACTICE_INDEX_BASE",
    "ComplianceRow",
    "PersonalHint",
    "PhenomenonRow",
    "answered_on_time",
    "best_attempts",
    "common_patterns",
    "compliance_rows",
    "first_reports",
    "is_practice",
    "latest_versions",
    "personal_hint",
    "phenomena_counts",
    "phenomena_profile",
]

#: Share of samples showing each common phenomenon (Heavey & Hurlburt 2008).
PHENOMENA_NORMS: Final[Mapping[str, float]] = MappingProxyType(
    {
        "inner_speech": 0.26,
        "inner_seeing": 0.34,
        "unsymbolized_thinking": 0.22,
        "feeling": 0.26,
        "sensory_awareness": 0.22,
    }
)
#: Practice beeps have ``index >= PRACTICE_INDEX_BASE`` and ``study_day == 0``; pilot beeps (a
#: researcher's test beep, /pilot) are numbered from ``PILOT_INDEX_BASE``: neither ever counts.
PRACTICE_INDEX_BASE: Final = 1000
PILOT_INDEX_BASE: Final = 2000
#: A hint needs an issue in this share of the last _HINT_WINDOW reports, or a phenomenon in
#: _DOMINANT_SHARE of them.
_RECURRING_SHARE: Final = 0.3
_DOMINANT_SHARE: Final = 0.6
_HINT_WINDOW: Final = 20


def is_practice(beep: Beep) -> bool:
    """True for a practice or pilot beep (never counts for the study)."""
    return beep.index >= PRACTICE_INDEX_BASE


def latest_versions(reports: Iterable[Report]) -> list[Report]:
    """Each scored attempt at a study beep as its latest version (a continuation or an edit is
    stored again, the whole rescored: the last record is the report)."""
    latest: dict[tuple[str, int], Report] = {}
    for report in reports:
        if report.beep_id is None or report.score is None:
            continue
        index = report.beep_id.rsplit(":", 1)[-1]
        if index.isdigit() and int(index) >= PRACTICE_INDEX_BASE:
            continue
        key = (report.beep_id, report.attempt)
        seen = latest.get(key)
        if seen is None or (report.received_at, report.id) > (seen.received_at, seen.id):
            latest[key] = report
    return list(latest.values())


def best_attempts(reports: Iterable[Report]) -> list[Report]:
    """One scored report per study beep, its best attempt at its latest version, oldest first."""
    best: dict[str | None, Report] = {}
    for report in latest_versions(reports):
        kept = best.get(report.beep_id)
        if kept is None or (report.score or 0) > (kept.score or 0):
            best[report.beep_id] = report
    return sorted(best.values(), key=lambda r: (r.received_at, r.id))


def phenomena_counts(reports: Iterable[Report]) -> collections.Counter[str]:
    """How many of the reports show each phenomenon (a report counts once per code)."""
    return collections.Counter(code for r in reports for code in set(r.phenomena))


def common_patterns(reports: Sequence[Report], *, min_data: int) -> CommonPatterns:
    """The reporting habits (original ``commonPatterns``) from best-attempt reports: shares
    0..1; the yes/no patterns stay None until *min_data* reports exist."""
    n = len(reports)
    if n == 0:
        return CommonPatterns()

    def share(predicate: Callable[[Report], bool]) -> float:
        return round(sum(1 for r in reports if predicate(r)) / n, 3)

    enough = n >= min_data
    inner_speech = share(lambda r: "inner_speech" in r.phenomena)
    abstract = share(lambda r: "abstract_label" in r.issue_codes)
    return CommonPatterns(
        uses_inner_speech=(inner_speech >= PHENOMENA_NORMS["inner_speech"]) if enough else None,
        tendency_to_generalize=share(lambda r: "generalization" in r.issue_codes),
        introspective_accuracy=round(statistics.fmean(r.score or 0 for r in reports) / 100, 3),
        preferred_response_length=round(statistics.fmean(len(r.text.split()) for r in reports), 1),
        reading_voice_illusion=(
            any("reading_inner_voice" in r.issue_codes for r in reports) if enough else None
        ),
        emotion_as_thought=abstract >= _RECURRING_SHARE if enough else None,
        sensory_detail_richness=share(lambda r: "sensory_awareness" in r.phenomena),
        moment_capture_ability=share(
            lambda r: not {"not_momentary", "generalization"} & set(r.issue_codes)
        ),
        emptiness_recognition=share(lambda r: not r.phenomena and not r.issue_codes),
    )


@attrs.frozen
class PhenomenonRow:
    """One phenomenon's ``count`` and ``share`` of a participant's reports next to its ``norm``
    (``difference`` is ``share - norm``)."""

    code: str
    count: int
    share: float
    norm: float
    difference: float


def phenomena_profile(reports: Sequence[Report]) -> tuple[PhenomenonRow, ...]:
    """The five common phenomena's frequencies in *reports* next to the norms."""
    counts = phenomena_counts(reports)
    rows = []
    for code, norm in PHENOMENA_NORMS.items():
        count = counts[code]
        share = round(count / len(reports), 3) if reports else 0.0
        rows.append(PhenomenonRow(code, count, share, norm, round(share - norm, 3)))
    return tuple(rows)


@attrs.frozen
class PersonalHint:
    """What personalised feedback should stress: a recurring issue (``kind`` ``"issue"``) or a
    lopsided profile (``"phenomena"``: the dominant ``code`` and the ``missing`` ones)."""

    kind: str
    code: str
    share: float
    missing: tuple[str, ...] = ()


def personal_hint(reports: Sequence[Report], *, min_data: int) -> PersonalHint | None:
    """The hint for feedback once *min_data* best-attempt reports exist (rules in docs/study.md)."""
    if len(reports) < min_data:
        return None
    recent = reports[-_HINT_WINDOW:]
    n = len(recent)
    issues = collections.Counter(code for r in recent for code in set(r.issue_codes))
    if issues:
        code, count = min(issues.items(), key=lambda item: (-item[1], item[0]))
        if count / n >= _RECURRING_SHARE:
            return PersonalHint("issue", code, round(count / n, 3))
    phenomena = collections.Counter(code for r in recent for code in set(r.phenomena))
    if phenomena:
        code, count = min(phenomena.items(), key=lambda item: (-item[1], item[0]))
        if count / n >= _DOMINANT_SHARE:
            missing = tuple(c for c in PHENOMENA_NORMS if phenomena[c] / n < 0.05)
            return PersonalHint("phenomena", code, round(count / n, 3), missing)
    return None


@attrs.frozen
class ComplianceRow:
    """Beep counts of one participant on one local day (``local_date`` None: in total);
    ``rate`` is answered on time / sent (each figure: docs/study.md, "Compliance")."""

    participant_id: str
    local_date: dt.date | None
    planned: int
    sent: int
    answered: int
    late: int
    expired: int
    missed: int
    cancelled: int
    median_latency_s: float | None
    rate: float | None


def compliance_rows(
    participant_id: str, beeps: Iterable[Beep], reports: Iterable[Report]
) -> list[ComplianceRow]:
    """Per-day rows then one total row (``local_date=None``) for a participant's study beeps."""
    first = first_reports(reports)
    by_day: dict[dt.date | None, list[Beep]] = collections.defaultdict(list)
    for beep in beeps:
        if not is_practice(beep):
            by_day[beep.local_date].append(beep)
            by_day[None].append(beep)
    days = sorted(day for day in by_day if day is not None)
    return [_row(participant_id, day, by_day[day], first) for day in [*days, None]]


def first_reports(reports: Iterable[Report]) -> dict[str, Report]:
    """Each beep's first report, by beep id (the earliest message of its first attempt)."""
    first: dict[str, Report] = {}
    for report in sorted(reports, key=lambda r: (r.attempt, r.received_at)):
        if report.beep_id is not None:
            first.setdefault(report.beep_id, report)
    return first


def answered_on_time(beep: Beep, first: Report | None) -> bool:
    """True for a delivered beep answered within its window, judged by its *first* report (the
    compliance figure's numerator everywhere: docs/study.md, "Compliance")."""
    answered = beep.sent_at is not None and beep.status is BeepStatus.ANSWERED
    return answered and first is not None and not first.late


def _row(
    participant_id: str, day: dt.date | None, beeps: Sequence[Beep], first: Mapping[str, Report]
) -> ComplianceRow:
    status = collections.Counter(b.status for b in beeps)
    answers = [first[b.id] for b in beeps if b.status is BeepStatus.ANSWERED and b.id in first]
    late = sum(1 for r in answers if r.late)
    latencies = [r.latency_s for r in answers if r.latency_s is not None]
    sent = sum(1 for b in beeps if b.sent_at is not None)
    on_time = sum(1 for b in beeps if answered_on_time(b, first.get(b.id)))
    return ComplianceRow(
        participant_id=participant_id,
        local_date=day,
        planned=len(beeps) - status[BeepStatus.CANCELLED],
        sent=sent,
        answered=on_time,
        late=late,
        expired=status[BeepStatus.EXPIRED],
        missed=status[BeepStatus.MISSED],
        cancelled=status[BeepStatus.CANCELLED],
        median_latency_s=statistics.median(latencies) if latencies else None,
        rate=round(on_time / sent, 3) if sent else None,
    )
