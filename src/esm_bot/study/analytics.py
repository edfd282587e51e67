"""Pure summaries of a participant's beeps and reports: quality, phenomena, compliance, hints.

No I/O: every function takes records and returns frozen values, so researchers' tools, the engine
and tests share one definition of each figure.
"""

from __future__ import annotations

import collections
import datetime as dt
import statistics
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Final

import attrs

from esm_bot.domain.models import Beep, BeepStatus, CommonPatterns, PhenomenaFrequencies, Report

__all__ = [
    "PHENOMENA_NORMS",
    "PILOT_INDEX_BASE",
    "PRACTICE_INDEX_BASE",
    "ComplianceRow",
    "PersonalHint",
    "PhenomenonRow",
    "best_attempts",
    "common_patterns",
    "compliance_rows",
    "is_practice",
    "personal_hint",
    "phenomena_counts",
    "phenomena_profile",
]

#: Percent of samples showing each common phenomenon (Heavey & Hurlburt 2008), as fractions.
PHENOMENA_NORMS: Final[Mapping[str, float]] = MappingProxyType(
    {
        "inner_speech": 0.26,
        "inner_seeing": 0.34,
        "unsymbolized_thinking": 0.22,
        "feeling": 0.26,
        "sensory_awareness": 0.22,
    }
)

#: Practice beeps have ``index >= PRACTICE_INDEX_BASE`` and ``study_day == 0``.
PRACTICE_INDEX_BASE: Final = 1000
#: Pilot beeps (a researcher's test beep, /pilot) have ``index >= PILOT_INDEX_BASE``; being above
#: :data:`PRACTICE_INDEX_BASE` too, they never count for the study either.
PILOT_INDEX_BASE: Final = 2000

#: A recurring issue must appear in at least this share of recent reports to shape the hint.
_RECURRING_SHARE: Final = 0.3
#: A phenomenon this common "dominates" the profile.
_DOMINANT_SHARE: Final = 0.6
#: Recent reports the hint looks at.
_HINT_WINDOW: Final = 20


def is_practice(beep: Beep) -> bool:
    """True for a practice beep (asked for by the participant; never counts for the study)."""
    return beep.index >= PRACTICE_INDEX_BASE


def best_attempts(reports: Iterable[Report]) -> list[Report]:
    """One scored report per beep (its best attempt), study beeps only, oldest first.

    A report continued by a later message or edited in Telegram counts as its latest version
    (the continuation or edit, scored as a whole); the earlier versions stay stored.
    """
    latest: dict[tuple[str, int], Report] = {}
    for report in reports:
        if report.beep_id is None or report.score is None:
            continue
        key = (report.beep_id, report.attempt)
        seen = latest.get(key)
        if seen is None or (report.received_at, report.id) > (seen.received_at, seen.id):
            latest[key] = report
    best: dict[str, Report] = {}
    for (beep_id, _attempt), report in latest.items():
        if _is_practice_id(beep_id):
            continue
        kept = best.get(beep_id)
        if kept is None or (report.score or 0) > (kept.score or 0):
            best[beep_id] = report
    return sorted(best.values(), key=lambda r: (r.received_at, r.id))


def _is_practice_id(beep_id: str) -> bool:
    index = beep_id.rsplit(":", 1)[-1]
    return index.isdigit() and int(index) >= PRACTICE_INDEX_BASE


def phenomena_counts(reports: Sequence[Report]) -> PhenomenaFrequencies:
    """How many of the reports show each of the five common phenomena."""
    counts = collections.Counter(code for r in reports for code in set(r.phenomena))
    return PhenomenaFrequencies(
        inner_speech=counts["inner_speech"],
        inner_seeing=counts["inner_seeing"],
        unsymbolized_thinking=counts["unsymbolized_thinking"],
        feeling=counts["feeling"],
        sensory_awareness=counts["sensory_awareness"],
    )


def common_patterns(reports: Sequence[Report], *, min_data: int) -> CommonPatterns:
    """The reporting habits (original ``commonPatterns``) from best-attempt reports.

    Shares are 0..1 (rounded to 3 places); the yes/no patterns stay None until *min_data*
    reports exist.
    """
    n = len(reports)
    if n == 0:
        return CommonPatterns()

    def share(predicate: Callable[[Report], bool]) -> float:
        return round(sum(1 for r in reports if predicate(r)) / n, 3)

    enough = n >= min_data
    inner_speech = share(lambda r: "inner_speech" in r.phenomena)
    return CommonPatterns(
        uses_inner_speech=(inner_speech >= PHENOMENA_NORMS["inner_speech"]) if enough else None,
        tendency_to_generalize=share(lambda r: "generalization" in r.issue_codes),
        introspective_accuracy=round(statistics.fmean(r.score or 0 for r in reports) / 100, 3),
        preferred_response_length=round(statistics.fmean(len(r.text.split()) for r in reports), 1),
        reading_voice_illusion=(
            any("reading_inner_voice" in r.issue_codes for r in reports) if enough else None
        ),
        emotion_as_thought=(
            share(lambda r: "abstract_label" in r.issue_codes) >= _RECURRING_SHARE
            if enough
            else None
        ),
        sensory_detail_richness=share(lambda r: "sensory_awareness" in r.phenomena),
        moment_capture_ability=share(
            lambda r: not {"not_momentary", "generalization"} & set(r.issue_codes)
        ),
        emptiness_recognition=share(lambda r: not r.phenomena and not r.issue_codes),
    )


@attrs.frozen
class PhenomenonRow:
    """One phenomenon in a participant's profile against the Heavey & Hurlburt (2008) norm.

    Attributes:
        code: Phenomenon code.
        count: Reports showing it.
        share: ``count / reports`` (0 when there are none).
        norm: The norm's share of samples.
        difference: ``share - norm``.
    """

    code: str
    count: int
    share: float
    norm: float
    difference: float


def phenomena_profile(reports: Sequence[Report]) -> tuple[PhenomenonRow, ...]:
    """The five common phenomena's frequencies in *reports* next to the norms."""
    counts = phenomena_counts(reports)
    n = len(reports)
    rows = []
    for code, norm in PHENOMENA_NORMS.items():
        count = int(getattr(counts, code))
        share = round(count / n, 3) if n else 0.0
        rows.append(PhenomenonRow(code, count, share, norm, round(share - norm, 3)))
    return tuple(rows)


@attrs.frozen
class PersonalHint:
    """What personalised feedback should stress (deterministic from the reports).

    Attributes:
        kind: ``"issue"`` (a recurring problem) or ``"phenomena"`` (a lopsided profile).
        code: The issue code, or the dominant phenomenon.
        share: How often it appears in the recent reports.
        missing: Common phenomena almost never reported (for ``"phenomena"``).
    """

    kind: str
    code: str
    share: float
    missing: tuple[str, ...] = ()


def personal_hint(reports: Sequence[Report], *, min_data: int) -> PersonalHint | None:
    """The hint for feedback once *min_data* best-attempt reports exist, else None.

    A recurring issue (in >= 30% of the last 20 reports; ties go to the more frequent, then the
    alphabetically first code) wins; otherwise a phenomenon seen in >= 60% of them, with the
    common phenomena seen in under 5% listed as ``missing``.
    """
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
    """Compliance of one participant on one local day (or overall when ``local_date`` is None).

    Attributes:
        participant_id: Whose.
        local_date: The participant's local day, or None for the participant's total.
        planned: Beeps planned and not cancelled.
        sent: Beeps delivered.
        answered: Beeps answered within their window.
        late: Beeps answered after their window (still attached, with latency).
        expired: Beeps sent but never answered.
        missed: Beeps never delivered (participant unreachable, or too late after downtime).
        cancelled: Beeps withdrawn before sending (pause, withdrawal, re-planning).
        median_latency_s: Median seconds from beep to first report, over answered beeps.
        rate: ``answered / sent`` (on time only), or None before any beep was sent.
    """

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
    first_reports: dict[str, Report] = {}
    for report in sorted(reports, key=lambda r: (r.attempt, r.received_at)):
        if report.beep_id is not None:
            first_reports.setdefault(report.beep_id, report)
    by_day: dict[dt.date, list[Beep]] = collections.defaultdict(list)
    study_beeps = [b for b in beeps if not is_practice(b)]
    for beep in study_beeps:
        by_day[beep.local_date].append(beep)
    rows = [_row(participant_id, day, by_day[day], first_reports) for day in sorted(by_day)]
    rows.append(_row(participant_id, None, study_beeps, first_reports))
    return rows


def _row(
    participant_id: str,
    day: dt.date | None,
    beeps: Sequence[Beep],
    first_reports: Mapping[str, Report],
) -> ComplianceRow:
    status = collections.Counter(b.status for b in beeps)
    answered_beeps = [b for b in beeps if b.status is BeepStatus.ANSWERED]
    late = sum(1 for b in answered_beeps if b.id in first_reports and first_reports[b.id].late)
    latencies = [
        first_reports[b.id].latency_s
        for b in answered_beeps
        if b.id in first_reports and first_reports[b.id].latency_s is not None
    ]
    sent = sum(1 for b in beeps if b.sent_at is not None)
    on_time = len(answered_beeps) - late
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
        median_latency_s=(
            statistics.median(x for x in latencies if x is not None) if latencies else None
        ),
        rate=round(on_time / sent, 3) if sent else None,
    )
