"""The database disappears and returns: nothing lost, nothing doubled (issues 5 and 9).

- A real MongoDB-wire server (mongoeco on its SQLite engine, so data survives a restart) is killed
  mid-study and restarted on the same port; writes made meanwhile arrive exactly once.
- A real SQLite file is locked by another connection; writes wait in the journal.
- The issue 9 case, driven by the fake clock: the database is gone for 30 simulated seconds in the
  middle of a load of 40 participants; then a crash in the middle of the replay.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

from esm_bot.domain.models import Beep, BeepStatus, Event, Participant, Report, beep_id
from esm_bot.domain.redact import redact_uri
from esm_bot.store import (
    DuplicateKey,
    ResilientStore,
    SqliteStore,
    Store,
    StoreUnavailable,
    open_store,
    store_from_env,
)
from esm_bot.store.journal import Journal
from esm_bot.store.mongo import MongoStore
from tests import _services
from tests.conftest import IN_CI, FakeClock

T0 = dt.datetime(2026, 3, 2, 6, 0, tzinfo=dt.UTC)
DAY = dt.date(2026, 3, 2)
LEASE = dt.timedelta(minutes=2)


class SwitchableStore:
    """Passes every call to a real store, or raises StoreUnavailable while ``down`` (the seam only).

    ``fail_after`` lets the next N calls succeed and then goes down: a crash mid-replay.
    """

    def __init__(self, real: Store) -> None:
        self.real = real
        self.down = False
        self.fail_after: int | None = None
        self.calls = 0

    def __getattr__(self, name: str) -> Any:
        target = getattr(self.real, name)
        if not callable(target) or name == "status":
            return target

        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            if self.fail_after is not None:
                if self.fail_after <= 0:
                    self.down = True
                    self.fail_after = None
                else:
                    self.fail_after -= 1
            if self.down:
                raise StoreUnavailable("connection refused (simulated outage)")
            return target(*args, **kwargs)

        return call


def person(n: int) -> Participant:
    return Participant(
        id=f"p{n}", created_at=T0, telegram_id=5000 + n, chat_id=5000 + n, lang="en", tz="UTC"
    )


def plan(pid: str, count: int = 3) -> list[Beep]:
    return [
        Beep(
            id=beep_id(pid, DAY, i),
            participant_id=pid,
            local_date=DAY,
            index=i,
            scheduled_at=T0 + dt.timedelta(seconds=10 * i),
            study_day=1,
            training=True,
            tz="UTC",
        )
        for i in range(count)
    ]


def answer(pid: str, bid: str, n: int, at: dt.datetime) -> Report:
    return Report(
        id=f"{bid}:r",
        participant_id=pid,
        beep_id=bid,
        text=f"I was looking at the red cup {n}",
        received_at=at,
        dedup_key=f"tg:{pid}:{n}",
        score=70,
        quality="good",
    )


# the issue 9 case: 30 simulated seconds without a database, mid-load


def test_thirty_simulated_seconds_without_database_lose_and_double_nothing(
    tmp_path: Path, fake_clock: FakeClock
) -> None:
    real = SqliteStore(tmp_path / "esm.sqlite3")
    flaky = SwitchableStore(real)
    store = ResilientStore(flaky, tmp_path / "journal.jsonl", clock=fake_clock, retry_interval_s=5)
    people = [person(n) for n in range(40)]
    for p in people:
        store.add_participant(p)
        store.upsert_beeps(plan(p.id))
    sent: list[tuple[str, str]] = []
    for b in store.due_beeps(T0 + dt.timedelta(seconds=30), limit=1000):
        claimed = store.claim_beep(b.id, "w1", T0, LEASE)
        assert claimed is not None
        store.update_beep(
            b.id, status=BeepStatus.SENT, sent_at=T0, claimed_by=None, claim_until=None
        )
        sent.append((b.participant_id, b.id))
    assert len(sent) == 120

    expected: set[str] = set()
    outage_started = fake_clock()
    for step, (pid, bid) in enumerate(sent):
        at = T0 + dt.timedelta(seconds=step)
        if step == 40:  # the database disappears
            flaky.down = True
        if step == 80:  # ... and returns, 30 simulated seconds after it went
            assert fake_clock() - outage_started >= 30
            flaky.down = False
        report = answer(pid, bid, step, at)
        stored, created = store.add_report(report)
        assert stored == report
        assert created
        expected.add(report.dedup_key)
        # Telegram re-delivers the same update: no second report, in or out of the outage
        again, created_again = store.add_report(report)
        assert not created_again
        assert again.dedup_key == report.dedup_key
        answered = store.update_beep(
            bid, if_status={BeepStatus.SENT}, status=BeepStatus.ANSWERED, answered_at=at
        )
        assert answered is not None
        store.update_participant(pid, current_training_day=1, average_data_quality=70.0)
        store.append_event(Event("report_received", at, pid, {"beep": bid}, id=f"ev-{step}"))
        if 40 <= step < 80:
            status = store.status()
            assert status.degraded
            assert status.pending > 0
            assert status.outages == 1
            assert "simulated outage" in (status.last_error or "")
            assert store.due_beeps(at) == []  # no sending without the database
            assert store.get_participant_by_telegram(5000 + int(pid[1:])) is not None
        fake_clock.advance(0.75)

    assert store.recover(force=True)
    status = store.status()
    assert not status.degraded
    assert status.pending == 0
    assert status.rejected == 0
    assert status.outages == 1
    assert status.replayed >= 40 * 4
    # every report arrived exactly once, every beep answered, every event once
    stored_keys = [r.dedup_key for r in real.iter_reports()]
    assert sorted(stored_keys) == sorted(expected)
    assert len(stored_keys) == 120
    assert {b.status for b in real.iter_beeps()} == {BeepStatus.ANSWERED}
    assert real.counts() == {"participants": 40, "beeps": 120, "reports": 120, "events": 120}
    seqs = [e.seq for e in real.iter_events()]
    assert seqs == sorted(seqs)
    assert all(p.current_training_day == 1 for p in real.list_participants())


@pytest.mark.process
def test_eight_threads_writing_through_an_outage_lose_and_double_nothing(
    tmp_path: Path, fake_clock: FakeClock
) -> None:
    real = SqliteStore(tmp_path / "esm.sqlite3")
    flaky = SwitchableStore(real)
    store = ResilientStore(flaky, tmp_path / "j.jsonl", clock=fake_clock, retry_interval_s=0)
    for n in range(8):
        store.add_participant(person(n))
    start = threading.Barrier(8)

    def writer(n: int) -> None:
        start.wait()
        for i in range(40):
            if n == 0 and i == 10:
                flaky.down = True  # the database goes away while everyone is writing ...
            if n == 0 and i == 30:
                flaky.down = False  # ... and comes back; the next calls replay concurrently
            report = answer(f"p{n}", f"b{n}-{i}", n * 100 + i, T0 + dt.timedelta(seconds=i))
            store.add_report(report)
            store.add_report(report)  # a re-delivered update
            store.append_event(Event("report", report.received_at, f"p{n}", id=f"e{n}-{i}"))

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.recover(force=True)
    assert store.status().pending == 0
    assert store.status().outages >= 1
    assert store.status().replayed > 0  # some writes did wait in the journal
    assert real.counts()["reports"] == 320
    assert real.counts()["events"] == 320
    assert len({r.dedup_key for r in real.iter_reports()}) == 320


def test_a_crash_in_the_middle_of_the_replay_doubles_nothing(
    tmp_path: Path, fake_clock: FakeClock
) -> None:
    real = SqliteStore(tmp_path / "esm.sqlite3")
    flaky = SwitchableStore(real)
    journal = tmp_path / "journal.jsonl"
    store = ResilientStore(flaky, journal, clock=fake_clock)
    store.add_participant(person(1))
    store.upsert_beeps(plan("p1", 6))
    store.beeps_for("p1")  # remembered, so updates work offline
    flaky.down = True
    for i in range(6):
        bid = beep_id("p1", DAY, i)
        store.add_report(answer("p1", bid, i, T0 + dt.timedelta(minutes=i)))
        store.update_beep(bid, status=BeepStatus.ANSWERED)
        store.append_event(Event("report_received", T0, "p1", id=f"e{i}"))
    assert len(Journal(journal)) == 18
    # a copy of the journal as it was: as if the process died after applying but before dropping
    snapshot = journal.read_bytes()

    flaky.down = False
    flaky.fail_after = 8  # the database goes away again in the middle of the replay
    fake_clock.advance(10)
    assert not store.recover()
    assert 0 < len(store.journal) < 18
    assert store.status().degraded

    # the process dies; a new one starts with the full old journal (worst case) and replays it
    journal.write_bytes(snapshot)
    flaky.down = False
    restarted = ResilientStore(flaky, journal, clock=fake_clock)
    assert restarted.status().degraded  # entries left by the previous run: replay them first
    assert restarted.recover()
    assert len(restarted.journal) == 0
    assert real.counts() == {"participants": 1, "beeps": 6, "reports": 6, "events": 6}
    assert all(b.status is BeepStatus.ANSWERED for b in real.beeps_for("p1"))


def test_offline_reads_answer_what_is_known_and_refuse_the_rest(
    tmp_path: Path, fake_clock: FakeClock
) -> None:
    flaky = SwitchableStore(SqliteStore(tmp_path / "esm.sqlite3"))
    store = ResilientStore(flaky, tmp_path / "j.jsonl", clock=fake_clock)
    store.add_participant(person(1))
    store.upsert_beeps(plan("p1"))
    store.beeps_for("p1")
    store.reports_for("p1")
    store.set_meta("schema_version", 1)
    flaky.down = True
    assert store.get_participant("p1") == person(1)
    assert [b.index for b in store.beeps_for("p1")] == [0, 1, 2]
    assert store.get_meta("schema_version") == 1
    assert store.claim_beep(beep_id("p1", DAY, 0), "w", T0, LEASE) is None
    with pytest.raises(StoreUnavailable, match="not known offline"):
        store.get_participant_by_telegram(999)
    with pytest.raises(StoreUnavailable, match="not known offline"):
        store.update_participant("stranger", tz="UTC")
    with pytest.raises(StoreUnavailable):
        store.counts()
    with pytest.raises(StoreUnavailable):
        list(store.iter_reports())
    with pytest.raises(StoreUnavailable):
        store.list_participants()
    with pytest.raises(StoreUnavailable, match="migrations"):
        store.patch_raw_participant("p1", {"x": 1})
    report = answer("p1", beep_id("p1", DAY, 0), 1, T0)
    store.add_report(report)
    assert store.reports_for("p1") == [report]
    updated = store.update_participant("p1", current_training_day=2)
    assert store.get_participant("p1") == updated
    assert updated.current_training_day == 2
    # an update conditional on the status is checked against what is known
    assert store.update_beep(beep_id("p1", DAY, 1), if_status={BeepStatus.SENT}) is None
    # a new participant is journaled and known; a known id or Telegram id is refused
    assert store.add_participant(person(3)) == person(3)
    assert store.get_participant_by_telegram(5003) == person(3)
    with pytest.raises(DuplicateKey):
        store.add_participant(attrs.evolve(person(4), telegram_id=5001))


def test_deleting_during_an_outage_purges_the_journal(
    tmp_path: Path, fake_clock: FakeClock
) -> None:
    real = SqliteStore(tmp_path / "esm.sqlite3")
    flaky = SwitchableStore(real)
    store = ResilientStore(flaky, tmp_path / "j.jsonl", clock=fake_clock)
    for n in (1, 2):
        store.add_participant(person(n))
        store.upsert_beeps(plan(f"p{n}"))
    flaky.down = True
    for n in (1, 2):
        pid = f"p{n}"
        store.add_report(answer(pid, beep_id(pid, DAY, 0), n, T0))
        store.append_event(Event("note", T0, pid, {"text": f"secret {pid}"}))
    store.delete_participant_data("p1")
    lines = store.journal.path.read_text(encoding="utf-8")
    assert "p1" in lines  # only the deletion itself waits for the database
    assert [json.loads(x)["op"] for x in lines.splitlines() if '"p1"' in x] == [
        "delete_participant_data"
    ]
    assert "secret p1" not in lines
    assert "secret p2" in lines
    flaky.down = False
    assert store.recover(force=True)
    assert real.reports_for("p1") == []
    assert real.beeps_for("p1") == []
    tomb = real.get_participant("p1")
    assert tomb is not None
    assert tomb.telegram_id is None
    assert len(real.reports_for("p2")) == 1


def test_deletion_forgets_what_the_outage_layer_remembered(
    tmp_path: Path, fake_clock: FakeClock
) -> None:
    flaky = SwitchableStore(SqliteStore(tmp_path / "esm.sqlite3"))
    store = ResilientStore(flaky, tmp_path / "j.jsonl", clock=fake_clock)
    store.add_participant(person(1))
    store.upsert_beeps(plan("p1"))
    report = answer("p1", beep_id("p1", DAY, 0), 1, T0)
    store.add_report(report)
    store.delete_participant_data("p1")
    flaky.down = True
    with pytest.raises(StoreUnavailable, match="not known offline"):
        store.get_participant("p1")
    with pytest.raises(StoreUnavailable, match="not known offline"):
        store.get_beep(beep_id("p1", DAY, 0))
    assert store.add_report(report)[1]  # the erased report is not "already stored"


def test_a_torn_last_line_is_ignored_and_a_bad_line_kept_aside(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    journal = Journal(path)
    journal.append("set_meta", {"key": "a", "value": 1})
    with path.open("a", encoding="utf-8") as out:
        out.write("this is not json\n")
    journal.append("set_meta", {"key": "b", "value": 2})
    with path.open("a", encoding="utf-8") as out:
        out.write('{"n": 3, "op": "set_me')  # the process died mid-append
    reopened = Journal(path)
    assert [e.args["key"] for e in reopened.entries()] == ["a", "b"]
    assert len(reopened) == 2
    assert reopened.rejected() == [{"line": "this is not json"}]
    entry = reopened.append("set_meta", {"key": "c", "value": 3})
    assert entry.n == 3
    assert [e.n for e in Journal(path).entries()] == [1, 2, 3]
    with path.open("a", encoding="utf-8") as out:
        out.write('{"n": 4, "op": "set_me')  # another process sharing the file died mid-append
    reopened.append("set_meta", {"key": "d", "value": 4})  # on a line of its own
    assert [e.args["key"] for e in Journal(path).entries()] == ["a", "b", "c", "d"]


def test_a_text_with_unicode_line_separators_is_replayed_whole(tmp_path: Path) -> None:
    """U+2028 and NEL are not line ends of the journal: a report holding them is not split."""
    path = tmp_path / "j.jsonl"
    text = "I saw\u2028the red cup\x85and\u2029more"
    Journal(path).append("add_report", {"text": text})
    Journal(path).append("set_meta", {"key": "b", "value": 2})
    reopened = Journal(path)
    assert [e.args for e in reopened.entries()] == [{"text": text}, {"key": "b", "value": 2}]
    assert reopened.rejected() == []


APPENDER = r"""
import sys, time
from pathlib import Path
from esm_bot.store.journal import Journal
path, name, count, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
journal = Journal(path)
while not go.exists():
    time.sleep(0.001)
for i in range(count):
    journal.append("set_meta", {"key": f"{name}-{i}", "value": i})
"""


@pytest.mark.process
def test_processes_sharing_a_journal_never_lose_an_entry(tmp_path: Path) -> None:
    """Two processes append while a third replays and drops: every entry is replayed once."""
    path = tmp_path / "shared.jsonl"
    go = tmp_path / "go"
    workers = [
        subprocess.Popen([sys.executable, "-c", APPENDER, str(path), name, "150", str(go)])
        for name in ("A", "B")
    ]
    journal = Journal(path)
    go.touch()
    replayed: list[str] = []
    while any(w.poll() is None for w in workers) or len(journal.entries()):
        batch = journal.entries()
        replayed.extend(str(e.args["key"]) for e in batch)
        journal.drop({e.id for e in batch})
    assert all(w.returncode == 0 for w in workers)
    assert len(replayed) == 300
    assert set(replayed) == {f"{n}-{i}" for n in "AB" for i in range(150)}
    # each process's entries were replayed in the order it wrote them
    for name in "AB":
        own = [int(k.split("-")[1]) for k in replayed if k.startswith(name)]
        assert own == sorted(own)


def test_a_healthy_process_replays_what_another_left_in_a_shared_journal(
    tmp_path: Path, fake_clock: FakeClock
) -> None:
    real = SqliteStore(tmp_path / "esm.sqlite3")
    journal = tmp_path / "shared.jsonl"
    cut_off = SwitchableStore(real)  # process A lost its connection ...
    a = ResilientStore(cut_off, journal, clock=fake_clock, retry_interval_s=5)
    b = ResilientStore(real, journal, clock=fake_clock, retry_interval_s=5)  # ... B did not
    a.add_participant(person(1))
    cut_off.down = True
    for i in range(3):
        a.add_report(answer("p1", f"b{i}", i, T0))
    assert a.status().degraded
    assert len(a.journal) == 3
    # A dies here. B, healthy, looks at the shared journal within one retry interval.
    assert not b.status().degraded
    fake_clock.advance(5)
    assert len(b.reports_for("p1")) == 3
    assert not b.status().degraded
    assert b.status().replayed == 3
    assert real.counts()["reports"] == 3
    assert b.journal.entries() == []


def test_an_entry_that_cannot_apply_is_kept_aside_not_lost(
    tmp_path: Path, fake_clock: FakeClock
) -> None:
    real = SqliteStore(tmp_path / "esm.sqlite3")
    flaky = SwitchableStore(real)
    store = ResilientStore(flaky, tmp_path / "j.jsonl", clock=fake_clock)
    store.add_participant(person(1))
    flaky.down = True
    store.get_participant("p1")
    store.update_participant("p1", tz="Asia/Kathmandu")
    store.set_meta("k", "v")
    conn = sqlite3.connect(real.path)  # meanwhile the record vanished: the update cannot apply
    with conn:
        conn.execute("DELETE FROM participants")
    conn.close()
    flaky.down = False
    assert store.recover(force=True)
    assert store.status().rejected == 1
    assert store.journal.rejected()[0]["op"] == "update_participant"
    assert real.get_meta("k") == "v"
    # deletion on request removes the participant's rejected entries too, and only theirs
    other = store.journal.append("update_participant", {"id": "p2"}, participant_id="p2")
    store.journal.reject(other, "kept for a human")
    store.delete_participant_data("p1")
    assert [r["pid"] for r in store.journal.rejected()] == ["p2"]


# a real SQLite file that cannot be written


def test_a_locked_sqlite_file_sends_writes_to_the_journal(
    tmp_path: Path, fake_clock: FakeClock
) -> None:
    path = tmp_path / "esm.sqlite3"
    real = SqliteStore(path, busy_timeout_s=0.05)
    store = ResilientStore(real, tmp_path / "j.jsonl", clock=fake_clock)
    store.add_participant(person(1))
    store.upsert_beeps(plan("p1"))
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")  # e.g. a long backup or another program
    try:
        report = answer("p1", beep_id("p1", DAY, 0), 1, T0)
        assert store.add_report(report) == (report, True)
        assert store.status().degraded
        assert "locked" in (store.status().last_error or "")
        assert len(store.journal) == 1
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    fake_clock.advance(5)
    assert store.reports_for("p1") == [report]
    assert not store.status().degraded
    assert real.counts()["reports"] == 1


# open_store / store_from_env


def test_store_from_env_defaults_to_sqlite_beside_its_journal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    store = store_from_env({})
    assert isinstance(store, ResilientStore)
    assert isinstance(store.inner, SqliteStore)
    assert Path(store.inner.path) == Path("esm_bot.sqlite3")
    assert store.journal.path == Path("esm_bot.journal.jsonl")
    store.close()
    custom = store_from_env(
        {"ESM_DB_PATH": str(tmp_path / "d" / "x.db"), "ESM_JOURNAL_PATH": str(tmp_path / "j")}
    )
    assert isinstance(custom, ResilientStore)
    assert custom.status().target == str(tmp_path / "d" / "x.db")
    assert custom.journal.path == tmp_path / "j"
    custom.close()
    plain = open_store(db_path=tmp_path / "plain.db", resilient=False)
    assert isinstance(plain, SqliteStore)
    plain.close()


def test_store_from_env_picks_the_mongodb_database(tmp_path: Path) -> None:
    journal = str(tmp_path / "j.jsonl")
    cases = [
        ({"MONGODB_URI": "mongodb://127.0.0.1:1/fromuri"}, "fromuri"),
        ({"MONGODB_URI": "mongodb://127.0.0.1:1/fromuri", "ESM_MONGODB_DB": "given"}, "given"),
        ({"MONGODB_URI": "mongodb://127.0.0.1:1/"}, "esm_bot"),
    ]
    for env, expected in cases:
        store = store_from_env({**env, "ESM_JOURNAL_PATH": journal})  # no I/O until first use
        assert isinstance(store, ResilientStore)
        assert isinstance(store.inner, MongoStore)
        assert store.inner.db_name == expected
        store.close()


@pytest.mark.slow  # waits for the driver's server-selection time-out
def test_an_unreachable_mongodb_is_reported_fast_and_without_its_password(tmp_path: Path) -> None:
    port = _services.free_port()
    uri = f"mongodb://esm:s3cr3t-pw@127.0.0.1:{port}/study?directConnection=true"
    assert "s3cr3t-pw" not in redact_uri(uri)
    store = store_from_env({"MONGODB_URI": uri, "ESM_JOURNAL_PATH": str(tmp_path / "j.jsonl")})
    assert isinstance(store, ResilientStore)
    assert isinstance(store.inner, MongoStore)
    assert store.inner.db_name == "study"
    started = time.monotonic()
    with pytest.raises(StoreUnavailable) as caught:
        store.ping()
    took = time.monotonic() - started
    # 3 s server selection, not pymongo's 30 s default (the bound leaves room for a loaded machine)
    assert took < 20
    assert "s3cr3t-pw" not in str(caught.value)
    status = store.status()
    assert status.degraded
    assert "s3cr3t-pw" not in repr(status)
    assert status.target == f"127.0.0.1:{port}/study"
    store.close()


# a real MongoDB-wire server, killed and restarted


class MongoProcess:
    """mongoeco's wire server on its SQLite engine (data survives restarts), run by this test."""

    def __init__(self, python: Path, port: int, data: Path, log: Path) -> None:
        self.python, self.port, self.data, self.log = python, port, data, log
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def uri(self) -> str:
        return f"mongodb://127.0.0.1:{self.port}/?directConnection=true"

    def start(self) -> None:
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                [
                    str(self.python),
                    str(_services.CI_DIR / "mongo_server.py"),
                    str(self.port),
                    f"sqlite:{self.data}",
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if b"READY" in self.log.read_bytes():
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise RuntimeError(f"mongoeco did not start: {self.log.read_text(errors='replace')}")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


@pytest.fixture
def own_mongo(tmp_path: Path) -> Iterator[MongoProcess]:
    try:
        python = _services.ensure_mongo_venv()
    except (_services.ServiceUnavailable, OSError, subprocess.CalledProcessError) as exc:
        message = f"mongoeco is not available ({exc}); run .ci/run"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    server = MongoProcess(python, _services.free_port(), tmp_path / "mongo.db", tmp_path / "m.log")
    server.start()
    yield server
    server.kill()


@pytest.mark.process
@pytest.mark.integration
def test_mongodb_killed_mid_study_and_restarted_every_report_arrives_once(
    own_mongo: MongoProcess, tmp_path: Path, fake_clock: FakeClock
) -> None:
    inner = MongoStore(
        own_mongo.uri,
        "esm_outage",
        server_selection_timeout_ms=400,
        connect_timeout_ms=400,
        socket_timeout_ms=2000,
    )
    store = ResilientStore(inner, tmp_path / "journal.jsonl", clock=fake_clock)
    for n in range(3):
        store.add_participant(person(n))
        store.upsert_beeps(plan(f"p{n}", 4))
        store.beeps_for(f"p{n}")
    reports: list[Report] = []

    def answer_all(index: int) -> None:
        for n in range(3):
            pid = f"p{n}"
            bid = beep_id(pid, DAY, index)
            report = answer(pid, bid, index * 10 + n, T0 + dt.timedelta(minutes=index))
            reports.append(report)
            assert store.add_report(report)[1]
            store.update_beep(bid, status=BeepStatus.ANSWERED, answered_at=report.received_at)

    answer_all(0)
    own_mongo.kill()  # the database disappears mid-study
    answer_all(1)
    answer_all(2)
    assert store.status().degraded
    assert store.status().pending == 12
    # a replayed Telegram update during the outage is still recognised
    assert store.add_report(reports[-1]) == (reports[-1], False)
    own_mongo.start()  # ... and returns on the same port with its data
    fake_clock.advance(6)
    deadline = time.monotonic() + 20
    while not store.recover(force=True):  # the driver needs a moment to see the server again
        assert time.monotonic() < deadline, store.status()
        time.sleep(0.2)
    answer_all(3)
    status = store.status()
    assert not status.degraded
    assert status.pending == 0
    assert status.outages == 1
    check = MongoStore(own_mongo.uri, "esm_outage")
    try:
        keys = sorted(r.dedup_key for r in check.iter_reports())
        assert keys == sorted(r.dedup_key for r in reports)
        assert check.counts()["reports"] == 12
        assert all(b.status is BeepStatus.ANSWERED for b in check.iter_beeps())
    finally:
        check.close()
        store.close()


def test_what_was_written_just_before_an_outage_stays_known(
    tmp_path: Path, fake_clock: FakeClock
) -> None:
    """Issue 15, defect A: a beep upserted while the database answered (a practice beep) is known
    when the line is cut right after; a participant known only from a listing, whose beeps this
    process never read, is refused rather than answered with a partial (empty) list."""
    flaky = SwitchableStore(SqliteStore(tmp_path / "esm.sqlite3"))
    store = ResilientStore(flaky, tmp_path / "j.jsonl", clock=fake_clock)
    flaky.real.add_participant(person(2))  # written by another process
    store.add_participant(person(1))
    store.list_participants()  # the scheduler lists everyone: p2 becomes known, its beeps not
    store.upsert_beeps(plan("p1", 1))
    flaky.real.upsert_beeps(plan("p2", 1))
    flaky.down = True

    practice = store.get_beep(beep_id("p1", DAY, 0))
    assert practice is not None
    sent = store.update_beep(practice.id, status=BeepStatus.SENT, sent_at=T0)
    assert sent is not None
    assert [b.status for b in store.beeps_for("p1")] == [BeepStatus.SENT]
    assert store.get_participant("p2") == person(2)
    with pytest.raises(StoreUnavailable, match="beeps of participant p2 are not known"):
        store.beeps_for("p2")
    with pytest.raises(StoreUnavailable, match="reports of participant p2 are not known"):
        store.reports_for("p2")


def test_field_level_writes_are_checked_and_stamped_before_anything_is_journaled(
    tmp_path: Path, fake_clock: FakeClock
) -> None:
    flaky = SwitchableStore(SqliteStore(tmp_path / "esm.sqlite3"))
    later = T0 + dt.timedelta(hours=1)
    store = ResilientStore(flaky, tmp_path / "j.jsonl", clock=fake_clock, utcnow=lambda: later)
    store.add_participant(person(1))
    store.upsert_beeps(b for b in plan("p1"))  # a generator: stored and remembered alike
    flaky.down = True
    assert store.get_beep(beep_id("p1", DAY, 2)) is not None
    with pytest.raises(TypeError, match="no field"):
        store.update_participant("p1", colour="red")
    with pytest.raises(TypeError, match="no field"):  # refused even where the status would not fit
        store.update_beep(beep_id("p1", DAY, 0), if_status={BeepStatus.SENT}, colour="red")
    assert len(store.journal) == 0
    assert store.update_participant("p1", current_training_day=2).updated_at == later
    assert len(store.journal) == 1
