"""``esm-bot stats``: the study's figures in the original MSE bot's terms, from the store."""

from __future__ import annotations

import datetime as dt
import json
import statistics
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import esm_validate
from esm_bot.domain.models import (
    Beep,
    BeepStatus,
    Participant,
    ParticipantStatus,
    Report,
    beep_id,
    new_id,
)
from esm_bot.ops.export import study_rows
from esm_bot.ops.report import issue_shares
from esm_bot.ops.stats import (
    NORMS,
    best_attempts,
    compliance_by,
    first_attempts,
    quality_by_day,
    study_stats,
)
from esm_bot.settings import StudyConfig
from esm_bot.store.sqlite import SqliteStore
from esm_bot.study import Study
from esm_bot.study.analytics import PRACTICE_INDEX_BASE
from esm_bot.study.analytics import best_attempts as study_analytics_best
from tests._ops_cli import run_esm_bot
from tests._ops_study import SimulatedStudy, simulate_study

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    s = SqliteStore(tmp_path / "stats.sqlite3")
    yield s
    s.close()


@pytest.fixture
def study(store: SqliteStore) -> SimulatedStudy:
    return simulate_study(store, participants=4, days=4)


def test_empty_study_has_no_rates(store: SqliteStore) -> None:
    """With no data every rate is None (printed n/a), never a division by zero."""
    stats = study_stats(store)

    assert stats.reports == 0
    assert stats.validation_success_rate is None
    assert stats.average_quality is None
    assert stats.cache_hit_rate is None
    assert stats.ai_availability is None
    assert stats.training_completion_rate is None
    assert stats.quality_growth is None
    assert stats.compliance is None
    assert "Validation success rate: n/a" in stats.render()


def test_figures_match_the_stored_reports(store: SqliteStore, study: SimulatedStudy) -> None:
    """Counts and success rate are the stored reports' own figures; average quality is the
    samples' (each answered beep's best attempt, as a participant's own average)."""
    reports = [r for r in store.iter_reports() if r.beep_id is not None]
    stats = study_stats(store)

    assert stats.participants == 4
    assert stats.reports == study.reports - study.messages_without_beep == len(reports)
    assert stats.messages_without_beep == study.messages_without_beep
    assert stats.validation_success_rate == 1.0
    samples = study_analytics_best(reports)
    assert stats.average_quality == pytest.approx(statistics.fmean(r.score or 0 for r in samples))
    assert len(samples) < len(reports), "retries and practice reports are not samples"
    assert stats.ai_share == 0.0
    assert stats.cache_hit_rate is None
    assert stats.cache_hit_source == "no AI answers stored"


def test_quality_growth_is_day_3_minus_day_1(store: SqliteStore, study: SimulatedStudy) -> None:
    """Quality by training day: first attempts on training days; growth is day 3 minus day 1."""
    stats = study_stats(store)
    by_day: dict[int, list[int]] = {}
    beeps = {b.id: b for p in store.list_participants() for b in store.beeps_for(p.id)}
    for report in store.iter_reports():
        beep = beeps.get(report.beep_id or "")
        if beep is not None and beep.training and report.attempt == 1:
            by_day.setdefault(beep.study_day, []).append(report.score or 0)

    assert set(stats.quality_by_training_day) == {1, 2, 3}
    for day, scores in by_day.items():
        assert stats.quality_by_training_day[day] == pytest.approx(statistics.fmean(scores))
    assert stats.quality_growth == pytest.approx(
        stats.quality_by_training_day[3] - stats.quality_by_training_day[1]
    )
    assert stats.quality_growth > 0, "the simulated participants improve over training"


def test_training_completion_rate(store: SqliteStore, study: SimulatedStudy) -> None:
    """Completed among those who started training; a registered participant does not count."""
    store.add_participant(
        Participant(id="newcomer", created_at=dt.datetime(2026, 5, 9, tzinfo=dt.UTC))
    )
    people = store.list_participants()
    completed = sum(1 for p in people if p.training_completed)

    stats = study_stats(store)

    assert stats.training_started == 4
    assert stats.training_completed == completed
    assert stats.training_completion_rate == completed / 4
    assert stats.participants_by_status[ParticipantStatus.REGISTERED.value] == 1


def test_phenomena_are_percent_of_samples(store: SqliteStore, study: SimulatedStudy) -> None:
    """One sample per answered beep (best attempt); the five common phenomena come first."""
    rows = list(study_rows(store, salt="x"))
    samples = best_attempts(rows)
    stats = study_stats(store)

    assert stats.samples == len(samples)
    assert list(stats.phenomena)[:5] == list(NORMS)
    for code, value in stats.phenomena.items():
        with_code = sum(1 for r in samples if code in (r.phenomena or ()))
        assert value == pytest.approx(100 * with_code / len(samples))


def test_compliance_is_on_time_among_delivered(store: SqliteStore, study: SimulatedStudy) -> None:
    """Answered in the window among delivered beeps; retries, late and future beeps as ESM does."""
    beeps = [b for p in store.list_participants() for b in store.beeps_for(p.id)]
    delivered = [b for b in beeps if b.sent_at is not None and b.index < PRACTICE_INDEX_BASE]
    on_time = 0
    for beep in delivered:
        first = store.reports_for(beep.participant_id, beep_id=beep.id)
        first.sort(key=lambda r: r.attempt)
        on_time += bool(first) and not first[0].late

    stats = study_stats(store)

    assert (stats.beeps_answered_on_time, stats.beeps_delivered) == (on_time, len(delivered))
    assert stats.compliance == pytest.approx(on_time / len(delivered))
    by_hour = compliance_by(list(study_rows(store, salt="x")), "hour")
    assert sum(d for _, d in by_hour.values()) == len(delivered)


def _answered_beeps(store: SqliteStore, reports: list[dict[str, Any]]) -> None:
    """Store one answered beep per entry of ``reports`` (extra Report fields), for one person."""
    person = store.add_participant(
        Participant(id="p1", created_at=dt.datetime(2026, 5, 1, tzinfo=dt.UTC))
    )
    at = dt.datetime(2026, 5, 1, 12, tzinfo=dt.UTC)
    for i, fields in enumerate(reports):
        beep = Beep(
            id=beep_id(person.id, at.date(), i),
            participant_id=person.id,
            local_date=at.date(),
            index=i,
            scheduled_at=at + dt.timedelta(minutes=i),
            status=BeepStatus.ANSWERED,
        )
        store.upsert_beeps([beep])
        store.add_report(
            Report(
                id=new_id(),
                participant_id=person.id,
                beep_id=beep.id,
                text=f"report {i}",
                received_at=at + dt.timedelta(minutes=i),
                score=60,
                **fields,
            )
        )


def test_cache_hit_rate_from_stored_ai_answers(store: SqliteStore) -> None:
    """Without the running validator's stats, the cached flag of stored AI answers is used."""
    _answered_beeps(
        store,
        [
            {"source": "ai", "assessment": {"cached": cached, "provider": "openai"}}
            for cached in (True, True, False, True)
        ],
    )

    stats = study_stats(store)
    given = study_stats(store, validator_stats={"cache_hit_rate": 0.5})

    assert stats.cache_hit_rate == 0.75
    assert stats.ai_share == 1.0
    assert given.cache_hit_rate == 0.5
    assert given.cache_hit_source == "from the running validator"


def test_ai_availability_counts_failures_not_rate_limits(store: SqliteStore) -> None:
    """AI answers among AI answers and AI failures; a rate-limited report is not a failure."""
    outcomes = [("ai", None)] * 3 + [("local", "ai_timeout"), ("local", "rate_limited")]
    _answered_beeps(
        store, [{"source": source, "fallback_reason": reason} for source, reason in outcomes]
    )

    stats = study_stats(store)

    assert stats.ai_availability == 3 / 4
    assert stats.fallbacks == {"ai_timeout": 1, "rate_limited": 1}
    assert "AI availability: 75.0% (target > 99%)" in stats.render()


def test_json_has_targets_and_norms(store: SqliteStore, study: SimulatedStudy) -> None:
    """to_dict is JSON-ready and carries the original MSE bot's targets and the norms."""
    data = study_stats(store).to_dict()

    text = json.dumps(data)
    assert data["targets"]["average_quality"] == 60.0
    assert data["phenomena_norms"]["inner_seeing"] == 34.0
    assert set(data["quality_by_training_day"]) == {"1", "2", "3"}
    assert "Training completion rate" in study_stats(store).render()
    assert "telegram" not in text


@pytest.mark.process
def test_command_prints_stats(store: SqliteStore, study: SimulatedStudy) -> None:
    """`esm-bot stats` and `esm-bot stats --json` print the same figures."""

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return run_esm_bot(["stats", *args], {"ESM_DB_PATH": store.path})

    human, machine = run(), run("--json")

    assert human.returncode == 0, human.stderr
    assert machine.returncode == 0, machine.stderr
    data = json.loads(machine.stdout)
    assert data["reports"] == study.reports - study.messages_without_beep
    assert f"Reports: {data['reports']}" in human.stdout
    assert "Phenomena (% of samples vs Heavey & Hurlburt 2008)" in human.stdout


def _study_with_edge_cases(store: SqliteStore) -> Participant:
    """One participant's stored beeps: a continued report whose whole scores lower than its first
    part, a continued retry, a late answer, an answered beep whose report the store lacks, an
    expired, a practice and a future beep."""
    person = store.add_participant(
        Participant(
            id="p1",
            created_at=dt.datetime(2026, 5, 1, tzinfo=dt.UTC),
            status=ParticipantStatus.SAMPLING,
            tz="UTC",
        )
    )
    at = dt.datetime(2026, 5, 2, 10, tzinfo=dt.UTC)
    day = at.date()

    def beep(index: int, status: BeepStatus, *, sent: bool = True) -> Beep:
        when = at + dt.timedelta(hours=index % 10)
        made = Beep(
            id=beep_id(person.id, day, index),
            participant_id=person.id,
            local_date=day,
            index=index,
            scheduled_at=when,
            status=status,
            study_day=1,
            sent_at=when if sent else None,
        )
        store.upsert_beeps([made])
        return made

    def report(of: Beep, minutes: int, score: int, *phenomena: str, **fields: Any) -> None:
        store.add_report(
            Report(
                id=new_id(),
                participant_id=person.id,
                beep_id=of.id,
                text=f"report {minutes}",
                received_at=of.scheduled_at + dt.timedelta(minutes=minutes),
                score=score,
                phenomena=phenomena,  # type: ignore[arg-type]
                **fields,
            )
        )

    continued = beep(0, BeepStatus.ANSWERED)
    report(continued, 2, 70, "inner_speech", issue_codes=("too_short",))
    report(continued, 3, 40, "inner_speech", "feeling")  # the continuation: the whole, rescored
    retried = beep(1, BeepStatus.ANSWERED)
    report(retried, 2, 30, "inner_seeing", issue_codes=("generalization",))
    report(retried, 5, 80, "inner_seeing", attempt=2)
    report(retried, 6, 85, "inner_seeing", attempt=2)  # the retry continued
    report(beep(2, BeepStatus.ANSWERED), 30, 60, "feeling", late=True)
    beep(3, BeepStatus.ANSWERED)  # its report is not in the store
    beep(4, BeepStatus.EXPIRED)
    report(beep(PRACTICE_INDEX_BASE, BeepStatus.ANSWERED), 1, 99, "feeling")
    beep(5, BeepStatus.SCHEDULED, sent=False)
    return person


def test_participant_and_researcher_figures_agree(store: SqliteStore) -> None:
    """The engine's figures (``/status``, ``Study.compliance``, ``phenomena_profile``) and
    ``esm-bot stats`` over one stored study: one best attempt per beep (a continued report at its
    latest version), one compliance (on time needs a first report in the window)."""
    person = _study_with_edge_cases(store)
    study = Study(store, esm_validate.validate, StudyConfig())
    mine = best_attempts(list(study_rows(store, salt="x")))

    engine = study_analytics_best(store.reports_for(person.id))
    stats = study_stats(store)

    assert sorted(r.score for r in engine) == sorted(r.score or 0 for r in mine) == [40, 60, 85]
    assert stats.samples == len(engine) == 3
    assert stats.average_quality == statistics.fmean(r.score or 0 for r in engine)
    assert stats.average_quality == pytest.approx((40 + 60 + 85) / 3)
    assert stats.retries == 1, "a retry continued in a second message is one retry"
    total = study.compliance(person.id)[-1]
    assert (total.answered, total.sent) == (stats.beeps_answered_on_time, stats.beeps_delivered)
    assert (total.answered, total.late, total.sent) == (2, 1, 5)
    profile = {row.code: row for row in study.phenomena_profile(person.id)}
    for code, row in profile.items():
        assert stats.phenomena[code] == pytest.approx(100 * row.share, abs=0.05)
    assert stats.phenomena["feeling"] == pytest.approx(200 / 3)


def test_first_attempts_count_once_at_their_latest_version(store: SqliteStore) -> None:
    """Quality by day and issue shares take each beep's first attempt once, a continued report
    as its whole (40, not its first part's 70 beside it)."""
    _study_with_edge_cases(store)
    rows = list(study_rows(store, salt="x"))

    assert [r.score for r in first_attempts(rows)] == [40, 30, 60]
    assert quality_by_day(rows, training_only=False) == {1: pytest.approx((40 + 30 + 60) / 3)}
    assert issue_shares(rows) == {"generalization": {1: pytest.approx(100 / 3)}}
