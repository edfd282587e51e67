"""``esm-bot stats``: the study's figures against the original MSE bot's targets, and the report's
aggregates (definitions: docs/report.md and docs/operations.md, "Metrics")."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final

import attrs

from esm_bot.domain.models import Beep, ParticipantStatus, Report
from esm_bot.store.base import Store
from esm_bot.study import analytics

from .export import NO_BEEP, PILOT, PRACTICE, StudyRow, study_rows

__all__ = [
    "NORMS",
    "TARGETS",
    "StudyStats",
    "best_attempts",
    "compliance_by",
    "compliance_totals",
    "first_attempts",
    "percent",
    "phenomena_frequencies",
    "quality_by_day",
    "study_stats",
]

#: Percent of samples with each phenomenon (Heavey & Hurlburt 2008, 30 students x 10 samples);
#: the engine's :data:`~esm_bot.study.analytics.PHENOMENA_NORMS` in percent.
NORMS: Final[Mapping[str, float]] = {
    code: round(100 * share, 1) for code, share in analytics.PHENOMENA_NORMS.items()
}

#: The original MSE bot's production targets (its production monitoring section).
TARGETS: Final[Mapping[str, float]] = {
    "validation_success_rate": 0.95,
    "average_quality": 60.0,
    "cache_hit_rate": 0.70,
    "training_completion_rate": 0.80,
    "ai_availability": 0.99,
    "quality_day1": 40.0,
    "quality_day3": 70.0,
}


#: Fallback reasons that mean the AI service failed (a rate limit is our own choice, not a failure).
_AI_FAILURES: Final = ("ai_unavailable", "ai_timeout", "ai_invalid_answer", "ai_auth")


def _pick(
    rows: Iterable[StudyRow], pick: Callable[[Iterable[Report]], list[Report]]
) -> list[StudyRow]:
    """The rows of the reports that *pick* (one of the engine's rules) chooses."""
    of_report = {row.report.id: row for row in rows if row.report is not None}
    return [of_report[r.id] for r in pick(row.report for row in of_report.values() if row.report)]


def best_attempts(rows: Iterable[StudyRow]) -> list[StudyRow]:
    """Return one row per sample: each answered study beep's best attempt, as the participant's
    own figures pick it (:func:`~esm_bot.study.analytics.best_attempts`)."""
    return _pick(rows, analytics.best_attempts)


def first_attempts(rows: Iterable[StudyRow]) -> list[StudyRow]:
    """Return each answered study beep's first attempt, once: at its latest version
    (:func:`~esm_bot.study.analytics.latest_versions`)."""
    return [row for row in _pick(rows, analytics.latest_versions) if row.attempt == 1]


def quality_by_day(rows: Iterable[StudyRow], *, training_only: bool = True) -> dict[int, float]:
    """Mean score per study day (training days only by default) of first attempts (a training
    retry follows the day's feedback: counting it would credit the coaching)."""
    scores: dict[int, list[int]] = defaultdict(list)
    for row in first_attempts(rows):
        day, score = row.study_day, row.score
        if score is not None and day is not None and (row.training or not training_only):
            scores[day].append(score)
    return {day: statistics.fmean(values) for day, values in sorted(scores.items())}


def phenomena_frequencies(samples: Sequence[StudyRow]) -> dict[str, float]:
    """Percent of samples showing each phenomenon (every code seen, the five common ones first)."""
    counts = analytics.phenomena_counts(row.report for row in samples if row.report)
    codes = list(NORMS) + sorted(c for c in counts if c not in NORMS)
    return {code: 100.0 * counts[code] / len(samples) if samples else 0.0 for code in codes}


def compliance_by(rows: Iterable[StudyRow], key: str) -> dict[Any, tuple[int, int]]:
    """Return ``{study_day or hour: (answered on time, delivered)}``: each delivered study beep
    once, judged as the engine's compliance judges it
    (:func:`~esm_bot.study.analytics.answered_on_time`)."""
    rows = list(rows)
    first = analytics.first_reports(row.report for row in rows if row.report)
    delivered: dict[Any, dict[str, Beep]] = defaultdict(dict)  # each beep once, by its id
    for row in rows:
        beep = row.beep
        if beep is not None and beep.sent_at is not None and not analytics.is_practice(beep):
            hour = row.scheduled_local.hour if row.scheduled_local else None  # their local hour
            delivered[hour if key == "hour" else getattr(row, key)][beep.id] = beep
    return {
        k: (sum(analytics.answered_on_time(b, first.get(b.id)) for b in beeps.values()), len(beeps))
        for k, beeps in sorted(delivered.items(), key=lambda kv: (kv[0] is None, kv[0]))
    }


def compliance_totals(rows: Iterable[StudyRow]) -> tuple[int, int]:
    """Return (answered on time, delivered) over all ``rows`` (see :func:`compliance_by`)."""
    table = compliance_by(rows, "study_day")
    return sum(a for a, _ in table.values()), sum(d for _, d in table.values())


def percent(value: float | None) -> str:
    """A 0..1 rate as ``12.3%``, or ``n/a``."""
    return "n/a" if value is None else f"{100 * value:.1f}%"


def _rate(numerator: int, denominator: int) -> float | None:
    return None if denominator == 0 else numerator / denominator


@attrs.frozen
class StudyStats:
    """The study's figures (rates 0..1, scores 0..100, None without data; what each counts:
    docs/operations.md, "Metrics")."""

    participants: int
    participants_by_status: Mapping[str, int]
    reports: int
    messages_without_beep: int
    samples: int
    validation_success_rate: float | None
    average_quality: float | None
    ai_share: float | None
    ai_availability: float | None
    fallbacks: Mapping[str, int]
    cache_hit_rate: float | None
    cache_hit_source: str
    training_started: int
    training_completed: int
    training_completion_rate: float | None
    quality_by_training_day: Mapping[int, float]
    quality_growth: float | None
    phenomena: Mapping[str, float]
    compliance: float | None
    beeps_delivered: int
    beeps_answered_on_time: int
    registrations: int = 0
    retries: int = 0
    practice_reports: int = 0
    pilot_reports: int = 0

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict, with the original MSE bot's targets and the norms."""
        data = attrs.asdict(self)
        data["quality_by_training_day"] = {
            str(k): v for k, v in self.quality_by_training_day.items()
        }
        data["targets"] = dict(TARGETS)
        data["phenomena_norms"] = dict(NORMS)
        return data

    def render(self) -> str:
        """Return the human summary, one figure per line with the target and a mark."""
        d1, d3 = self.quality_by_training_day.get(1), self.quality_by_training_day.get(3)
        values = {key: getattr(self, key, None) for key in TARGETS} | {"quality_day3": d3}
        mark = {
            k: "  " if v is None else "✅" if v >= TARGETS[k] else "⚠️ " for k, v in values.items()
        }
        growth = (
            "n/a"
            if d1 is None or d3 is None
            else f"day 1 {d1:.0f} → day 3 {d3:.0f} ({self.quality_growth:+.0f} points)"
        )
        avg = "n/a" if self.average_quality is None else f"{self.average_quality:.1f}"
        status = ", ".join(f"{k} {v}" for k, v in sorted(self.participants_by_status.items()))
        fallbacks = ", ".join(f"{k} {v}" for k, v in sorted(self.fallbacks.items()))
        lines = [
            f"Participants: {self.participants} (consented, not deleted; "
            f"{self.registrations} registration{'' if self.registrations == 1 else 's'}: "
            f"{status or 'none'})",
            f"Reports: {self.reports} (every text that answered a beep, retries, practice and "
            "pilot beeps included)",
            f"   Answered study beeps: {self.samples} (each beep once, its best attempt: the "
            "samples the figures below use)",
            f"   Training retries: {self.retries}; practice reports: {self.practice_reports}; "
            f"pilot reports: {self.pilot_reports} (not study data)",
            f"   Messages without a beep: {self.messages_without_beep} (written while no beep "
            "was open; kept, not scored, not in the figures)",
            f"{mark['validation_success_rate']} Validation success rate: "
            f"{percent(self.validation_success_rate)} (target > 95%)",
            f"{mark['average_quality']} Average quality: {avg} (target > 60)",
            f"{mark['cache_hit_rate']} Cache hit rate: {percent(self.cache_hit_rate)} "
            f"(target > 70%; {self.cache_hit_source})",
            f"{mark['training_completion_rate']} Training completion rate: "
            f"{percent(self.training_completion_rate)} ({self.training_completed}/"
            f"{self.training_started}; target > 80%)",
            f"{mark['quality_day3']} Quality growth: {growth} (the original MSE bot expected about "
            "40 → 70+ over training)",
            f"   Compliance: {percent(self.compliance)} ({self.beeps_answered_on_time}/"
            f"{self.beeps_delivered} delivered beeps answered on time; ESM average about 79%)",
            f"{mark['ai_availability']} AI availability: {percent(self.ai_availability)} "
            "(target > 99%)",
            f"   AI share: {percent(self.ai_share)}; fallbacks: {fallbacks or 'none'}",
            "   Phenomena (% of samples vs Heavey & Hurlburt 2008):",
        ]
        for code, value in self.phenomena.items():
            norm = NORMS.get(code)
            norm_text = "" if norm is None else f" (norm {norm:.0f}%)"
            lines.append(f"     {code:<22} {value:5.1f}%{norm_text}")
        return "\n".join(lines)


def study_stats(
    store: Store,
    *,
    validator_stats: Mapping[str, Any] | None = None,
    rows: Sequence[StudyRow] | None = None,
) -> StudyStats:
    """Compute the study's figures from the store (and the running validator's stats, if any)."""
    table = list(rows) if rows is not None else list(study_rows(store, salt="stats"))
    registrations = store.list_participants()
    people = [  # consented, not deleted on request
        p
        for p in registrations
        if p.deleted_at is None and p.status is not ParticipantStatus.REGISTERED
    ]
    reports = [r for r in table if r.answered and r.beep_status != NO_BEEP]
    scored = [r for r in reports if r.score is not None]
    ai = [r for r in reports if r.validator_source == "ai"]
    fallbacks = Counter(r.fallback_reason for r in reports if r.fallback_reason)
    if validator_stats and validator_stats.get("cache_hit_rate") is not None:
        cache_rate: float | None = float(validator_stats["cache_hit_rate"])
        cache_source = "from the running validator"
    elif ai:
        cache_rate = sum(1 for r in ai if r.validator_cached) / len(ai)
        cache_source = "share of stored AI answers served from the cache"
    else:
        cache_rate, cache_source = None, "no AI answers stored"
    started = [
        p
        for p in people
        if p.training_completed
        or p.current_training_day > 0
        or p.training_start_date is not None
        or p.status in (ParticipantStatus.TRAINING, ParticipantStatus.SAMPLING)
    ]
    completed = [p for p in started if p.training_completed]
    by_day = quality_by_day(table)
    growth = by_day[3] - by_day[1] if 1 in by_day and 3 in by_day else None
    samples = best_attempts(table)
    on_time, delivered = compliance_totals(table)
    return StudyStats(
        participants=len(people),
        participants_by_status=dict(
            Counter("deleted" if p.deleted_at else p.status.value for p in registrations)
        ),
        reports=len(reports),
        messages_without_beep=sum(1 for r in table if r.beep_status == NO_BEEP),
        samples=len(samples),
        validation_success_rate=_rate(len(scored), len(reports)),
        average_quality=statistics.fmean(r.score or 0 for r in samples) if samples else None,
        ai_share=_rate(len(ai), len(reports)),
        ai_availability=_rate(len(ai), len(ai) + sum(fallbacks[r] for r in _AI_FAILURES)),
        fallbacks=dict(fallbacks),
        cache_hit_rate=cache_rate,
        cache_hit_source=cache_source,
        training_started=len(started),
        training_completed=len(completed),
        training_completion_rate=_rate(len(completed), len(started)),
        quality_by_training_day=by_day,
        quality_growth=growth,
        phenomena=phenomena_frequencies(samples),
        compliance=_rate(on_time, delivered),
        beeps_delivered=delivered,
        beeps_answered_on_time=on_time,
        registrations=len(registrations),
        retries=sum(1 for r in _pick(table, analytics.latest_versions) if (r.attempt or 1) > 1),
        practice_reports=sum(1 for r in reports if r.beep_status == PRACTICE),
        pilot_reports=sum(1 for r in reports if r.beep_status == PILOT),
    )
