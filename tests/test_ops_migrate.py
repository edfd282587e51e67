"""Migrations on both stores: addGoldenStandardFields on legacy documents inserted raw.

SQLite in a temporary directory and MongoDB through the MongoDB-wire server. Legacy participants are
written straight into the table or collection, as the original bot left them: no golden-standard
fields, some fields only, or the original MSE bot's camelCase names.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import subprocess
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from esm_bot.domain.models import Participant
from esm_bot.ops.migrations import (
    GOLDEN_STANDARD_DEFAULTS,
    MIGRATIONS,
    MigrationSummary,
    check_migrations,
    current_schema_version,
    run_migrations,
)
from esm_bot.store.errors import StoreUnavailable
from esm_bot.store.sqlite import SqliteStore
from tests._ops_cli import run_esm_bot

ROOT = Path(__file__).resolve().parent.parent
CREATED = dt.datetime(2025, 9, 1, 10, 0, tzinfo=dt.UTC)


def _insert_raw(store: Any, doc: Mapping[str, Any]) -> None:
    """Write a participant document straight into the database, bypassing the store."""
    doc = dict(doc)
    pid = doc.pop("id")
    created = CREATED + dt.timedelta(seconds=int(doc.pop("_order", 0)))
    if isinstance(store, SqliteStore):
        doc["created_at"] = created.isoformat()
        doc["id"] = pid
        conn = sqlite3.connect(store.path)
        with conn:
            conn.execute(
                "INSERT INTO participants (id, telegram_id, status, created_at, doc)"
                " VALUES (?, ?, ?, ?, ?)",
                (pid, doc.get("telegram_id"), doc.get("status", "training"), created.timestamp(),
                 json.dumps(doc)),
            )  # fmt: skip
        conn.close()
    else:
        doc["created_at"] = created
        store._db["participants"].insert_one({"_id": pid, **doc})


@pytest.fixture(params=["sqlite", "mongodb"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    if request.param == "sqlite":
        s: Any = SqliteStore(tmp_path / "legacy.sqlite3")
    else:
        from esm_bot.store.mongo import MongoStore

        uri = request.getfixturevalue("mongo_uri")
        s = MongoStore(uri, request.getfixturevalue("mongo_db_name"))
    yield s
    s.close()


BARE = {"id": "bare", "telegram_id": 1001, "lang": "ru", "status": "training", "_order": 1}
PARTIAL = {
    "id": "partial",
    "telegram_id": 1002,
    "lang": "en",
    "status": "sampling",
    "training_completed": True,
    "current_training_day": 3,
    "average_data_quality": 81.5,
    "common_patterns": {"uses_inner_speech": True, "tendency_to_generalize": 0.4},
    "_order": 2,
}
CAMEL = {
    "id": "camel",
    "telegram_id": 1003,
    "lang": "ru",
    "status": "training",
    "trainingCompleted": True,
    "averageDataQuality": 72.5,
    "currentTrainingDay": 2,
    "commonPatterns": {"usesInnerSpeech": False, "tendencyToGeneralize": 0.3},
    "preferences": {"receive_quality_feedback": False},
    "qualityHistory": [{"date": "2025-09-02", "score": 55, "responsesCount": 4, "dayNumber": 1}],
    "_order": 3,
}


def _legacy_study(store: Any) -> Participant:
    for doc in (BARE, PARTIAL, CAMEL):
        _insert_raw(store, doc)
    return store.add_participant(
        Participant(id="modern", created_at=CREATED + dt.timedelta(hours=1), telegram_id=1004)
    )


def _raw(store: Any) -> dict[str, dict[str, Any]]:
    return {doc["id"]: doc for doc in store.iter_raw_participants()}


def test_check_counts_pending_records_and_writes_nothing(store: Any) -> None:
    """--check: schema version 0, three legacy participants need migration 1; nothing changes."""
    _legacy_study(store)
    before = _raw(store)

    checks = check_migrations(store)

    assert current_schema_version(store) == 0
    assert [(c.version, c.name, c.applied, c.pending_records) for c in checks] == [
        (1, "addGoldenStandardFields", False, 3)
    ]
    assert _raw(store) == before
    assert store.get_meta("schema_version") is None


def test_dry_run_reports_the_summary_without_writing(store: Any) -> None:
    """--dry-run walks every record and reports what it would do; the documents stay the same."""
    _legacy_study(store)
    before = _raw(store)

    [summary] = run_migrations(store, dry_run=True)

    assert summary.to_original_dict() == {
        "totalUsers": 4,
        "usersUpdated": 3,
        "usersSkipped": 1,
        "errors": 0,
    }
    assert summary.dry_run
    assert not summary.completed
    assert _raw(store) == before
    assert current_schema_version(store) == 0


def test_migration_adds_missing_fields_and_keeps_existing_values(store: Any) -> None:
    """Every participant ends with every field; values already there (or camelCase ones) stay."""
    _legacy_study(store)

    [summary] = run_migrations(store)

    assert summary.to_original_dict() == {
        "totalUsers": 4,
        "usersUpdated": 3,
        "usersSkipped": 1,
        "errors": 0,
    }
    assert summary.completed
    raw = _raw(store)
    for doc in raw.values():
        for name in GOLDEN_STANDARD_DEFAULTS:
            assert name in doc, (doc["id"], name)
        assert doc["schema_version"] >= 1
    bare = store.get_participant("bare")
    assert (bare.training_completed, bare.current_training_day, bare.lang) == (False, 0, "ru")
    assert bare.preferences.use_ai_validation is True
    assert raw["bare"]["phenomena_frequencies"] == GOLDEN_STANDARD_DEFAULTS["phenomena_frequencies"]
    partial = store.get_participant("partial")
    assert partial.training_completed is True
    assert partial.current_training_day == 3
    assert partial.average_data_quality == 81.5
    assert partial.common_patterns.uses_inner_speech is True
    assert partial.common_patterns.tendency_to_generalize == 0.4
    assert partial.common_patterns.moment_capture_ability == 0
    camel = store.get_participant("camel")
    assert camel.training_completed is True
    assert camel.average_data_quality == 72.5
    assert camel.current_training_day == 2
    assert camel.common_patterns.uses_inner_speech is False
    assert camel.common_patterns.tendency_to_generalize == 0.3
    assert camel.preferences.receive_quality_feedback is False
    assert camel.preferences.show_examples is True
    assert [(q.score, q.responses_count, q.day_number) for q in camel.quality_history] == [
        (55, 4, 1)
    ]
    assert current_schema_version(store) == 1
    assert store.get_meta(MIGRATIONS[0].meta_key)["usersUpdated"] == 3


def test_second_run_does_nothing(store: Any) -> None:
    """Idempotent: after a completed run nothing is pending and a new run changes nothing."""
    _legacy_study(store)
    run_migrations(store)
    after_first = _raw(store)

    assert run_migrations(store) == []
    assert _raw(store) == after_first
    [check] = check_migrations(store)
    assert check.applied
    assert check.pending_records == 0


class _CrashingStore:
    """Delegates to a real store; the database 'goes away' after ``crash_after`` patches."""

    def __init__(self, inner: Any, crash_after: int) -> None:
        self.inner = inner
        self.left = crash_after

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def patch_raw_participant(self, participant_id: str, fields: Mapping[str, Any]) -> bool:
        if self.left == 0:
            raise StoreUnavailable("connection lost")
        self.left -= 1
        return bool(self.inner.patch_raw_participant(participant_id, fields))


def test_a_crashed_run_resumes(store: Any) -> None:
    """The database goes away mid-run; the next run finishes the rest and changes nothing twice
    (progress is recorded every 100 participants)."""
    for i in range(105):
        _insert_raw(store, {"id": f"old{i:03d}", "telegram_id": 2000 + i, "_order": i})

    with pytest.raises(StoreUnavailable):
        run_migrations(_CrashingStore(store, crash_after=103))

    assert current_schema_version(store) == 0
    [check] = check_migrations(store)
    assert not check.applied
    assert check.pending_records == 2
    assert check.interrupted_at == 100
    [summary] = run_migrations(store)
    assert (summary.total, summary.updated, summary.skipped, summary.errors) == (105, 2, 103, 0)
    assert current_schema_version(store) == 1
    assert all(doc["schema_version"] == 1 for doc in store.iter_raw_participants())


class _RefusingStore(_CrashingStore):
    """One participant cannot be written (the store reports it missing)."""

    def patch_raw_participant(self, participant_id: str, fields: Mapping[str, Any]) -> bool:
        if participant_id == "partial":
            return False
        return bool(self.inner.patch_raw_participant(participant_id, fields))


def test_errors_are_counted_and_the_migration_stays_pending(store: Any) -> None:
    """A record that cannot be written counts as an error; the migration is not marked done."""
    _legacy_study(store)

    [summary] = run_migrations(_RefusingStore(store, 0))

    assert (summary.updated, summary.skipped, summary.errors) == (2, 1, 1)
    assert summary.failed_ids == ("partial",)
    assert not summary.completed
    assert current_schema_version(store) == 0
    [retry] = run_migrations(store)
    assert (retry.updated, retry.errors) == (1, 0)
    assert current_schema_version(store) == 1


def test_progress_every_hundred_records(tmp_path: Path) -> None:
    """A long run reports progress every 100 participants (SQLite: 250 legacy records)."""
    s = SqliteStore(tmp_path / "many.sqlite3")
    try:
        conn = sqlite3.connect(s.path)
        with conn:
            conn.executemany(
                "INSERT INTO participants (id, telegram_id, status, created_at, doc)"
                " VALUES (?, ?, 'training', ?, ?)",
                [(f"p{i:03d}", 5000 + i, CREATED.timestamp() + i,
                  json.dumps({"id": f"p{i:03d}", "created_at": CREATED.isoformat(),
                              "telegram_id": 5000 + i}))
                 for i in range(250)],
            )  # fmt: skip
        conn.close()
        seen: list[MigrationSummary] = []

        [summary] = run_migrations(s, progress=seen.append)

        assert [p.total for p in seen] == [100, 200]
        assert [p.updated for p in seen] == [100, 200]
        assert summary.updated == 250
    finally:
        s.close()


# the real command


def _run(args: list[str], db: Path) -> subprocess.CompletedProcess[str]:
    return run_esm_bot(args, {"ESM_DB_PATH": str(db)})


@pytest.mark.process
def test_command_check_then_migrate(tmp_path: Path) -> None:
    """`migrate --check` writes nothing; `migrate` prints the original MSE bot's summary."""
    db = tmp_path / "cmd.sqlite3"
    s = SqliteStore(db)
    _legacy_study(s)
    s.close()

    check = _run(["migrate", "--check"], db)
    dry = _run(["migrate", "--dry-run"], db)
    done = _run(["migrate"], db)
    again = _run(["migrate"], db)

    assert check.returncode == 0, check.stderr
    assert "Schema version: 0" in check.stdout
    assert "3 participants need it" in check.stdout
    assert dry.returncode == 0, dry.stderr
    assert "would update 3" in dry.stdout
    assert done.returncode == 0, done.stderr
    assert '{"totalUsers": 4, "usersUpdated": 3, "usersSkipped": 1, "errors": 0}' in done.stdout
    assert "schema version 1" in done.stdout
    assert again.returncode == 0
    assert "Nothing to migrate: schema version 1" in again.stdout
