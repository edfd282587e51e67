"""The operations commands on a study run by the real engine (Study, fake clock, local validator).

The other operations tests write a simulated study straight into the store; this one lets the
study engine do it (planning, beeps, reminders, expiry, retries, practice beeps, day closing), so
the export, the stats and the report are checked against records exactly as the bot writes them,
and the compliance figure against the engine's own.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import itertools
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

import esm_validate
from esm_bot.ops.export import PRACTICE, export_study, study_rows
from esm_bot.ops.health import run_health
from esm_bot.ops.stats import compliance_totals, study_stats
from esm_bot.settings import StudyConfig
from esm_bot.store.sqlite import SqliteStore
from esm_bot.study import Action, Study
from tests.study_support import Driver, WallClock

START = dt.datetime(2026, 5, 4, 10, 0, tzinfo=dt.UTC)
PEOPLE = ((5001, "en"), (5002, "ru"))
GOOD = {
    "en": "At the beep I was saying to myself in my inner voice 'where are the keys?', fast.",
    "ru": "В момент сигнала я говорил себе внутренним голосом: «где же ключи?» — быстро.",
}
POOR = {"en": "Nothing special, as usual.", "ru": "Ничего особенного, как обычно."}


@pytest.fixture(scope="module")
def engine_study(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SqliteStore, Study]]:
    """Two participants, two training days and one sampling day, run minute by minute."""
    clock = WallClock(START)
    store = SqliteStore(tmp_path_factory.mktemp("engine") / "study.sqlite3", utcnow=clock)
    study = Study(
        store,
        esm_validate.validate,
        StudyConfig(training_days=2, sampling_days=1),
        clock=clock,
        rng=random.Random(5),
        maintenance_every=dt.timedelta(minutes=5),
    )
    dedup = itertools.count(1)
    for telegram_id, lang in PEOPLE:
        study.register(telegram_id, chat_id=telegram_id, lang=lang)
        study.consent(telegram_id, version="1")
        study.start(telegram_id)
        study.practice(telegram_id)
        study.handle_text(telegram_id, GOOD[lang], dedup_key=f"tg:{telegram_id}:{next(dedup)}")
    driver = Driver(study, clock)
    lang_of = dict(PEOPLE)

    def say(telegram_id: int, text: str) -> None:
        study.handle_text(telegram_id, text, dedup_key=f"tg:{telegram_id}:{next(dedup)}")

    def on_beep(action: Action) -> None:
        assert action.beep is not None
        beep = action.beep
        person = store.get_participant(beep.participant_id)
        assert person is not None
        assert person.telegram_id is not None
        who, lang = person.telegram_id, lang_of[person.telegram_id]
        if beep.index == 5:
            return  # never answered: reminder, then expiry
        if beep.index == 0:  # a poor report, then the retry offered on a training day
            driver.at(clock.now + dt.timedelta(minutes=2), functools.partial(say, who, POOR[lang]))
            driver.at(clock.now + dt.timedelta(minutes=4), functools.partial(say, who, GOOD[lang]))
            return
        minutes = 20 if beep.index == 4 else 3  # index 4 answers late
        driver.at(
            clock.now + dt.timedelta(minutes=minutes), functools.partial(say, who, GOOD[lang])
        )

    driver.on_beep = on_beep
    driver.run_until(dt.datetime(2026, 5, 8, 12, 0, tzinfo=dt.UTC))
    yield store, study
    store.close()


def test_export_has_every_engine_record(engine_study: tuple[SqliteStore, Study]) -> None:
    """One row per beep the engine planned and per report attempt it stored, practice included."""
    store, _ = engine_study
    out = io.StringIO()
    rows = export_study(store, out, format="jsonl", environ={})

    expected = 0
    for person in store.list_participants():
        for beep in store.beeps_for(person.id):
            expected += max(1, len(store.reports_for(person.id, beep_id=beep.id)))
        expected += sum(1 for r in store.reports_for(person.id) if r.beep_id is None)
    assert rows == expected
    table = list(study_rows(store, raw_ids=True))
    assert {r.beep_status for r in table} >= {"answered", "expired", PRACTICE}
    assert any(r.attempt == 2 for r in table), "the engine kept the retry"
    assert any(r.late for r in table), "the late answers are flagged"


def test_compliance_agrees_with_the_engine(engine_study: tuple[SqliteStore, Study]) -> None:
    """Per participant, on time among delivered beeps is the engine's own compliance figure."""
    store, study = engine_study
    table = list(study_rows(store, raw_ids=True))

    for person in store.list_participants():
        total = study.compliance(person.id)[-1]
        mine = compliance_totals([r for r in table if r.participant == person.id])
        assert mine == (total.answered, total.sent)
        assert total.sent > 0


def test_average_quality_agrees_with_the_engine(engine_study: tuple[SqliteStore, Study]) -> None:
    """Per participant, the samples' mean score is the average quality the engine keeps for
    ``/status`` (best attempts; the poor first reports that were retried do not count)."""
    store, _ = engine_study
    table = list(study_rows(store, raw_ids=True))

    for person in store.list_participants():
        stats = study_stats(store, rows=[r for r in table if r.participant == person.id])
        assert stats.average_quality is not None
        assert round(stats.average_quality, 1) == person.average_data_quality > 0


def test_stats_follow_the_participants(engine_study: tuple[SqliteStore, Study]) -> None:
    """Training completion and statuses are the engine's; quality by day covers both days."""
    store, _ = engine_study
    people = store.list_participants()

    stats = study_stats(store)

    assert stats.participants == len(PEOPLE)
    assert stats.training_completed == sum(1 for p in people if p.training_completed)
    assert stats.participants_by_status == {
        status: sum(1 for p in people if p.status.value == status)
        for status in {p.status.value for p in people}
    }
    assert set(stats.quality_by_training_day) == {1, 2}
    assert stats.validation_success_rate == 1.0


@pytest.mark.slow
def test_health_and_report_on_the_engine_store(
    engine_study: tuple[SqliteStore, Study], tmp_path: Path
) -> None:
    """Health counts the engine's records; the report builds from them."""
    pytest.importorskip("matplotlib")
    from esm_bot.ops.report import build_report

    store, _ = engine_study
    report = run_health(store, environ={}, clock=lambda: 0.0)  # status, not timing, is tested
    text = build_report(store, tmp_path, environ={}).read_text(encoding="utf-8")

    assert report.check("database").figures["reports"] == store.counts()["reports"]
    assert report.exit_code == 0
    assert text.count("data:image/png;base64,") == 4
