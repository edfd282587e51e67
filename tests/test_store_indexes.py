"""Store internals the contract suite cannot see: every query uses an index, deleted text is gone
from the SQLite files, WAL mode is on, and the MongoDB indexes exist."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from esm_bot.domain.models import (
    Beep,
    BeepStatus,
    Event,
    Participant,
    ParticipantStatus,
    Report,
    beep_id,
)
from esm_bot.store import SqliteStore, StoreUnavailable
from esm_bot.store.mongo import MongoStore

T0 = dt.datetime(2026, 3, 2, 6, 0, tzinfo=dt.UTC)
DAY = dt.date(2026, 3, 2)


def _exercise_every_method(store: SqliteStore) -> None:
    """Call every query and write of the Store once, on a little data."""
    store.add_participant(Participant(id="p1", created_at=T0, telegram_id=1))
    store.get_participant("p1")
    store.get_participant_by_telegram(1)
    store.update_participant("p1", study_day=1)
    store.list_participants()
    store.list_participants(ParticipantStatus.SAMPLING)
    beeps = [
        Beep(
            id=beep_id("p1", DAY, i),
            participant_id="p1",
            local_date=DAY,
            index=i,
            scheduled_at=T0 + dt.timedelta(minutes=i),
        )
        for i in range(3)
    ]
    store.upsert_beeps(beeps)
    store.upsert_beeps(beeps, replace_unsent=True)
    store.get_beep(beeps[0].id)
    store.beeps_for("p1", since=T0, until=T0 + dt.timedelta(days=1))
    list(store.iter_beeps(since=T0))
    store.due_beeps(T0 + dt.timedelta(hours=1))
    store.beeps_in_status(BeepStatus.SENT, scheduled_before=T0 + dt.timedelta(days=1))
    store.claim_beep(beeps[0].id, "w", T0, dt.timedelta(minutes=1))
    store.update_beep(beeps[0].id, if_status={BeepStatus.SCHEDULED}, status=BeepStatus.SENT)
    store.cancel_future_beeps("p1", T0)
    report = Report(
        id="r1",
        participant_id="p1",
        beep_id=beeps[0].id,
        text="t",
        received_at=T0,
        dedup_key="tg:1:1",
    )
    store.add_report(report)
    store.add_report(report)
    store.reports_for("p1", beep_id=beeps[0].id)
    list(store.iter_reports(since=T0))
    store.append_event(Event("x", T0, "p1", id="e1"))
    store.append_event(Event("x", T0, "p1", id="e1"))
    list(store.iter_events(participant_id="p1"))
    list(store.iter_events(kind="x", since=T0))
    store.set_meta("k", 1)
    store.get_meta("k")
    list(store.iter_raw_participants())
    store.patch_raw_participant("p1", {"x": 1})
    store.delete_participant_data("p1")


def test_every_sqlite_query_uses_an_index(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "esm.sqlite3")
    statements: list[str] = []
    conn = store._connection()
    conn.set_trace_callback(statements.append)
    _exercise_every_method(store)
    conn.set_trace_callback(None)
    checked = 0
    for sql in statements:
        head = sql.lstrip().split()[0].upper()
        if head not in {"SELECT", "UPDATE", "DELETE"} or "count(*)" in sql:
            continue
        plan = [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql)]
        for step in plan:
            if step.startswith(("SCAN", "SEARCH")):
                assert "USING" in step, f"{sql}\n-> {plan}"
            assert "TEMP B-TREE" not in step, f"sorts without an index: {sql}\n-> {plan}"
        checked += 1
    assert checked >= 25
    store.close()


def test_sqlite_runs_in_wal_mode_and_a_closed_store_says_so(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "esm.sqlite3")
    conn = sqlite3.connect(store.path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()
    store.close()
    with pytest.raises(StoreUnavailable, match="closed"):
        store.get_participant("p1")


def test_deleted_report_text_is_gone_from_the_sqlite_files(tmp_path: Path) -> None:
    path = tmp_path / "esm.sqlite3"
    store = SqliteStore(path)
    secret = "UNIQUE-SECRET-MOMENT-" * 20
    store.add_participant(Participant(id="p1", created_at=T0, telegram_id=424242))
    store.upsert_beeps(
        [
            Beep(
                id=beep_id("p1", DAY, 0),
                participant_id="p1",
                local_date=DAY,
                index=0,
                scheduled_at=T0,
            )
        ]
    )
    store.add_report(
        Report(
            id="r1",
            participant_id="p1",
            beep_id=None,
            text=secret,
            received_at=T0,
            dedup_key="tg:1:1",
        )
    )
    files = [path, path.with_name(path.name + "-wal")]
    assert any(secret.encode() in f.read_bytes() for f in files if f.exists())
    store.delete_participant_data("p1")
    for f in files:
        if f.exists():
            assert secret.encode() not in f.read_bytes(), f
    store.close()


@pytest.mark.integration
def test_mongodb_indexes_exist_for_every_query(mongo_uri: str, mongo_db_name: str) -> None:
    store = MongoStore(mongo_uri, mongo_db_name)
    try:
        store.counts()  # the first operation creates the indexes
        db = store._db

        def keys(collection: str) -> list[list[str]]:
            return [list(ix["key"].keys()) for ix in db[collection].list_indexes()]

        def unique(collection: str) -> set[str]:
            return {
                next(iter(ix["key"])) for ix in db[collection].list_indexes() if ix.get("unique")
            }

        assert ["status", "scheduled_at"] in keys("beeps")
        assert ["participant_id", "scheduled_at"] in keys("beeps")
        assert ["participant_id", "received_at"] in keys("reports")
        assert ["participant_id", "seq"] in keys("events")
        assert ["kind", "seq"] in keys("events")
        assert "dedup_key" in unique("reports")
        assert "telegram_id" in unique("participants")
        assert "seq" in unique("events")
    finally:
        store.close()
