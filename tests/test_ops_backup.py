"""``esm-bot backup DIR``: a consistent SQLite copy (online backup API) and the mongodump recipe."""

from __future__ import annotations

import datetime as dt
import re
import shlex
import shutil
import sqlite3
import subprocess
import threading
from pathlib import Path

import pytest

from esm_bot.domain.models import Participant
from esm_bot.ops.backup import backup_sqlite, mongodump_plan, timestamp
from esm_bot.store.sqlite import SqliteStore
from tests._ops_cli import run_esm_bot
from tests._ops_study import simulate_study

ROOT = Path(__file__).resolve().parent.parent
NOW = dt.datetime(2026, 5, 1, 9, 30, 5, tzinfo=dt.UTC)


def _count(path: Path, table: str) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        conn.close()


def test_timestamped_consistent_copy(tmp_path: Path) -> None:
    """The copy has a timestamped name, passes integrity_check and holds every record."""
    db = tmp_path / "esm_bot.sqlite3"
    store = SqliteStore(db)
    sim = simulate_study(store, participants=2, days=2)
    try:
        result = backup_sqlite(db, tmp_path / "backups", now=lambda: NOW)
    finally:
        store.close()

    assert result.path == tmp_path / "backups" / "esm_bot-20260501T093005Z.sqlite3"
    assert result.size_bytes == result.path.stat().st_size
    assert _count(result.path, "participants") == 2
    assert _count(result.path, "reports") == sim.reports
    assert result.journal_copy is None
    assert [p.name for p in (tmp_path / "backups").iterdir()] == [result.path.name]


def test_copy_while_the_bot_writes(tmp_path: Path) -> None:
    """Writes going on during the backup never give a torn copy (WAL + online backup)."""
    db = tmp_path / "busy.sqlite3"
    store = SqliteStore(db)
    stop = threading.Event()
    written: list[int] = []

    def writer() -> None:
        i = 0
        while not stop.is_set() and i < 2000:
            store.add_participant(Participant(id=f"w{i}", created_at=NOW, telegram_id=10_000 + i))
            written.append(i)
            i += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < 50:
            pass
        result = backup_sqlite(db, tmp_path / "b", now=lambda: NOW)
    finally:
        stop.set()
        thread.join()
        store.close()

    copied = _count(result.path, "participants")
    assert 50 <= copied <= len(written)
    conn = sqlite3.connect(result.path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


def test_journal_is_copied_beside(tmp_path: Path) -> None:
    """A pending outage journal is copied with the same time stamp."""
    db = tmp_path / "esm_bot.sqlite3"
    SqliteStore(db).close()
    journal = tmp_path / "esm_bot.journal.jsonl"
    journal.write_text('{"n": 1, "op": "add_report", "args": {}}\n', encoding="utf-8")

    result = backup_sqlite(db, tmp_path / "b", journal_path=journal, now=lambda: NOW)

    assert result.journal_copy == tmp_path / "b" / "esm_bot.journal.jsonl-20260501T093005Z"
    assert result.journal_copy.read_text(encoding="utf-8") == journal.read_text(encoding="utf-8")


def test_missing_database_is_a_clear_error(tmp_path: Path) -> None:
    """No database file: FileNotFoundError naming the path, and no file created."""
    missing = tmp_path / "nope.sqlite3"
    with pytest.raises(FileNotFoundError, match=re.escape(str(missing))):
        backup_sqlite(missing, tmp_path / "b")
    assert not missing.exists()


def test_mongodump_plan_has_no_password() -> None:
    """The mongodump and mongorestore commands keep user, hosts and options, not the password."""
    uri = "mongodb://esm:s3cr3t-PW@db1:27017,db2:27017/study?replicaSet=rs0&authSource=admin"

    text = mongodump_plan(uri, "/var/backups/esm", db_name="study", now=lambda: NOW)

    assert "s3cr3t-PW" not in text
    safe = "--uri=mongodb://esm@db1:27017,db2:27017/study?replicaSet=rs0&authSource=admin"
    out = f"/var/backups/esm/esm_bot-{timestamp(NOW)}"
    commands = [shlex.split(line) for line in text.splitlines() if line.startswith("  mongo")]
    assert commands == [
        ["mongodump", safe, "--db=study", f"--out={out}"],
        ["mongorestore", safe, "--drop", out],
    ]


def _run(args: list[str], env_extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return run_esm_bot(["backup", *args], env_extra)


@pytest.mark.process
def test_command_backs_up_and_the_copy_restores(tmp_path: Path) -> None:
    """`esm-bot backup DIR` writes the copy; copied back, the store opens with the same data."""
    db = tmp_path / "live.sqlite3"
    store = SqliteStore(db)
    sim = simulate_study(store, participants=2, days=1)
    store.close()

    done = _run([str(tmp_path / "backups")], {"ESM_DB_PATH": str(db)})

    assert done.returncode == 0, done.stderr
    [copy] = list((tmp_path / "backups").glob("live-*.sqlite3"))
    assert str(copy) in done.stdout
    assert "Restore:" in done.stdout
    restored = tmp_path / "restored.sqlite3"
    shutil.copy(copy, restored)
    again = SqliteStore(restored)
    try:
        assert again.counts()["reports"] == sim.reports
        assert {p.id for p in again.list_participants()} == set(sim.participant_ids)
    finally:
        again.close()


@pytest.mark.process
def test_command_prints_the_mongodump_recipe() -> None:
    """With MONGODB_URI the command explains mongodump without the password; it connects nowhere."""
    done = _run(["/backups"], {"MONGODB_URI": "mongodb://bot:TopSecret99@127.0.0.1:1/esm"})

    assert done.returncode == 0, done.stderr
    assert "mongodump --uri=mongodb://bot@127.0.0.1:1/esm --out=/backups/esm_bot-" in done.stdout
    assert "mongorestore" in done.stdout
    assert "TopSecret99" not in done.stdout + done.stderr


@pytest.mark.process
def test_command_without_a_database_fails_in_one_line(tmp_path: Path) -> None:
    """No database at ESM_DB_PATH: one line on stderr, exit 2."""
    done = _run([str(tmp_path / "b")], {"ESM_DB_PATH": str(tmp_path / "none.sqlite3")})

    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1
    assert "no SQLite database" in done.stderr
