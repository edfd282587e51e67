"""The study engine through a database outage: reports written meanwhile arrive once afterwards.

The engine runs on :class:`~esm_bot.store.ResilientStore` over a real SqliteStore; the seam between
them is switched off for a while (the database "disappears"), then on again.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

from esm_bot.domain.models import BeepStatus
from esm_bot.settings import StudyConfig
from esm_bot.store import ResilientStore, SqliteStore, StoreUnavailable
from esm_bot.study import ActionKind, ReportKind, Study
from tests.study_support import ScriptedValidator, WallClock

START = dt.datetime(2026, 5, 5, 5, 30, tzinfo=dt.UTC)  # 08:30 in Moscow
TG = 31


class Outage:
    """Passes calls to the real store, or raises StoreUnavailable while ``down``."""

    def __init__(self, real: SqliteStore) -> None:
        self.real = real
        self.down = False

    def __getattr__(self, name: str) -> Any:
        target = getattr(self.real, name)
        if not callable(target) or name == "status":
            return target

        def call(*args: Any, **kwargs: Any) -> Any:
            if self.down:
                raise StoreUnavailable("connection refused (simulated outage)")
            return target(*args, **kwargs)

        return call


def _send_all(study: Study) -> list[str]:
    sent = []
    for action in study.tick():
        if action.kind is ActionKind.SEND_BEEP and action.beep is not None:
            study.beep_sent(action.beep.id, 7)
            sent.append(action.beep.id)
    return sent


def test_reports_during_an_outage_arrive_once_when_the_database_returns(tmp_path: Path) -> None:
    """A report and its retry written while the database is gone get feedback at once, are kept
    in the journal, and are stored exactly once after it returns; no beep is sent meanwhile."""
    clock = WallClock(START)
    monotonic: Callable[[], float] = lambda: clock.now.timestamp()  # noqa: E731
    real = SqliteStore(tmp_path / "study.sqlite3", utcnow=clock)
    seam = Outage(real)
    store = ResilientStore(
        seam,
        tmp_path / "journal.ndjson",
        clock=monotonic,
        utcnow=clock,
        retry_interval_s=1.0,
    )
    study = Study(
        store,
        ScriptedValidator(),
        StudyConfig(start_same_day=True),
        clock=clock,
        rng=random.Random(5),
    )
    study.register(TG, chat_id=TG, lang="en")
    study.consent(TG)
    started = study.start(TG)
    assert started.participant is not None
    pid = started.participant.id
    first = min(real.beeps_for(pid), key=lambda b: b.scheduled_at)
    clock.set(first.scheduled_at)
    assert _send_all(study) == [first.id]
    real_reports_before = len(real.reports_for(pid))

    seam.down = True  # the database disappears
    clock.advance(minutes=2)
    low = study.handle_text(TG, "[20] I think I was tired", dedup_key="tg:1")
    clock.advance(minutes=1)
    retry = study.handle_text(TG, "[65] inner words: 'so tired'", dedup_key="tg:2")
    replay = study.handle_text(TG, "[20] I think I was tired", dedup_key="tg:1")
    clock.advance(minutes=60)
    during = _send_all(study)

    assert low.kind is ReportKind.ON_TIME
    assert low.retry_offered
    assert retry.kind is ReportKind.RETRY
    assert replay.kind is ReportKind.DUPLICATE
    assert during == []
    assert store.status().degraded
    assert len(real.reports_for(pid)) == real_reports_before

    seam.down = False  # ... and returns
    clock.advance(seconds=5)
    assert store.recover(force=True)

    reports = [r for r in real.reports_for(pid) if r.beep_id == first.id]
    assert [(r.attempt, r.score) for r in reports] == [(1, 20), (2, 65)]
    stored_first = real.get_beep(first.id)
    assert stored_first is not None
    assert stored_first.status is BeepStatus.ANSWERED
    assert store.status().pending == 0
    kinds = [e.kind for e in real.iter_events(participant_id=pid)]
    assert kinds.count("report_received") == 2

    clock.set(max(b.scheduled_at for b in real.beeps_for(pid) if b.local_date == first.local_date))
    after = _send_all(study)
    assert after  # beeping resumes
    assert first.id not in after
    store.close()
