"""Concurrent inserts of the same report or event: one is stored, every caller gets it back.

``add_report`` dedups on ``dedup_key`` and ``append_event`` on ``id``. When several writers
(threads with their own store, or processes) insert the same key at once, exactly one row is
stored, exactly one caller sees ``created``, and every caller gets the stored report or event back
(issue 15: no data lost, no duplicate). On MongoDB a command listener holds every ``insert``
until all writers have checked for an existing document, so each round really takes the
duplicate-key path of ``MongoStore._insert_once``; SQLite serialises the check and the insert
in ``BEGIN IMMEDIATE``.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pymongo
import pytest
from pymongo import monitoring

from esm_bot.domain.models import Event, Report
from esm_bot.store import Store
from esm_bot.store.mongo import MongoStore
from esm_bot.store.sqlite import SqliteStore

T0 = dt.datetime(2026, 3, 2, 6, 0, tzinfo=dt.UTC)
WRITERS = 6
ROUNDS = 3
#: A safety net only: a healthy run never waits on it (the barrier is passed by the writers).
STUCK_S = 60.0

R = TypeVar("R")


def report(round_no: int, writer: int) -> Report:
    """Writer ``writer``'s copy of round ``round_no``'s message: own id, shared dedup key."""
    return Report(
        id=f"r{round_no}-w{writer}",
        participant_id="p1",
        beep_id=None,
        text=f"В момент сигнала я видел чашку ({writer})",
        received_at=T0 + dt.timedelta(minutes=round_no, seconds=writer),
        dedup_key=f"tg:1:{round_no}",
    )


def event(round_no: int) -> Event:
    """Round ``round_no``'s event, appended by every writer (the same id)."""
    return Event(
        kind="report.received",
        at=T0 + dt.timedelta(minutes=round_no),
        participant_id="p1",
        data={"round": round_no, "tags": ["a", "b"]},
        id=f"e{round_no}",
    )


def race(stores: list[Store], call: Callable[[Store, int], R]) -> list[R]:
    """Run ``call(store, writer)`` once per store, in one thread each, released by one barrier."""
    start = threading.Barrier(len(stores))
    results: list[Any] = [None] * len(stores)
    errors: list[BaseException] = []

    def writer(index: int) -> None:
        try:
            start.wait(STUCK_S)
            results[index] = call(stores[index], index)
        except BaseException as exc:  # reported below, with the writer that raised it
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(len(stores))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    return results


def check_reports(store: Store, outcomes: list[tuple[Report, bool]], round_no: int) -> None:
    """Exactly one writer created the report; all got the stored one; it is stored once."""
    created = [rep for rep, new in outcomes if new]
    assert len(created) == 1, outcomes
    winner = created[0]
    assert winner in [report(round_no, w) for w in range(len(outcomes))]
    assert [rep for rep, _ in outcomes] == [winner] * len(outcomes)
    stored = [r for r in store.iter_reports() if r.dedup_key == f"tg:1:{round_no}"]
    assert stored == [winner]


def check_events(store: Store, outcomes: list[Event], round_no: int) -> None:
    """Every writer got the one stored event, with the seq it was stored under."""
    stored = [e for e in store.iter_events() if e.id == f"e{round_no}"]
    assert len(stored) == 1, stored
    assert stored[0].seq is not None
    assert outcomes == [stored[0]] * len(outcomes)


def add_report(round_no: int, store: Store, writer: int) -> tuple[Report, bool]:
    """Writer ``writer`` adds its copy of round ``round_no``'s report."""
    return store.add_report(report(round_no, writer))


def append_event(round_no: int, store: Store, _writer: int) -> Event:
    """A writer appends round ``round_no``'s event."""
    return store.append_event(event(round_no))


def run_rounds(stores: list[Store]) -> None:
    """``ROUNDS`` races of ``add_report`` and of ``append_event``; check each."""
    for round_no in range(ROUNDS):
        outcomes = race(stores, functools.partial(add_report, round_no))
        check_reports(stores[0], outcomes, round_no)
        events = race(stores, functools.partial(append_event, round_no))
        check_events(stores[0], events, round_no)
    assert stores[0].counts()["reports"] == ROUNDS
    assert stores[0].counts()["events"] == ROUNDS


# SQLite


@pytest.fixture
def sqlite_stores(tmp_path: Path) -> Iterator[list[Store]]:
    """One SqliteStore (its own connection) per writer, all on one file."""
    path = tmp_path / "db" / "esm.sqlite3"
    made: list[Store] = [SqliteStore(path) for _ in range(WRITERS)]
    yield made
    for s in made:
        s.close()


def test_sqlite_threads_racing_one_report_and_event_store_each_once(
    sqlite_stores: list[Store],
) -> None:
    run_rounds(sqlite_stores)


_CHILD = """
import json, sys
import datetime as dt
from esm_bot.domain.models import Report
from esm_bot.store.sqlite import SqliteStore

store = SqliteStore(sys.argv[1])
store.ping()
print("ready", flush=True)
sys.stdin.readline()
rep, created = store.add_report(Report(
    id=sys.argv[2], participant_id="p1", beep_id=None, text="x",
    received_at=dt.datetime(2026, 3, 2, 6, 0, tzinfo=dt.UTC), dedup_key="tg:1:proc",
))
store.close()
print(json.dumps({"id": rep.id, "created": created}), flush=True)
"""


@pytest.mark.process
def test_sqlite_two_processes_racing_one_report_store_it_once(tmp_path: Path) -> None:
    path = tmp_path / "esm.sqlite3"
    SqliteStore(path).close()  # the schema exists before the race
    children = [
        subprocess.Popen(
            [sys.executable, "-c", _CHILD, str(path), f"proc{i}"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for i in range(2)
    ]
    for child in children:  # a barrier across processes: release both once both are ready
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
    for child in children:
        assert child.stdin is not None
        child.stdin.write("go\n")
        child.stdin.flush()
    outs = [json.loads(child.communicate(timeout=STUCK_S)[0]) for child in children]
    assert [child.returncode for child in children] == [0, 0]
    assert sorted(o["created"] for o in outs) == [False, True]
    assert outs[0]["id"] == outs[1]["id"]
    store = SqliteStore(path)
    try:
        assert [r.id for r in store.iter_reports()] == [outs[0]["id"]]
    finally:
        store.close()


# MongoDB


class InsertGate(monitoring.CommandListener):
    """Hold each ``insert`` into ``db_name`` until ``parties`` writers are about to insert.

    pymongo publishes a command's start in the calling thread before sending it, so no insert
    reaches the server until every writer has looked for an existing document and found none:
    all but one insert then fail on the unique key, which is the path under test.
    """

    def __init__(self, db_name: str, parties: int) -> None:
        self.db_name = db_name
        self.barrier = threading.Barrier(parties)
        self.held = 0
        self._lock = threading.Lock()

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        """Wait at the barrier before an insert into the database under test."""
        if event.command_name == "insert" and event.database_name == self.db_name:
            with self._lock:
                self.held += 1
            self.barrier.wait(STUCK_S)

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        """Nothing to do."""

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        """Nothing to do."""


def test_mongo_threads_racing_one_report_and_event_store_each_once(
    mongo_uri: str, mongo_db_name: str
) -> None:
    gate = InsertGate(mongo_db_name, WRITERS)
    clients: list[Any] = [
        pymongo.MongoClient(
            mongo_uri, tz_aware=True, serverSelectionTimeoutMS=5000, event_listeners=[gate]
        )
        for _ in range(WRITERS)
    ]
    stores: list[Store] = [MongoStore(c, mongo_db_name) for c in clients]
    try:
        run_rounds(stores)
    finally:
        for s in stores:
            s.close()
        for c in clients:
            c.close()
    # every writer inserted in every round: the duplicates really met the unique index
    assert gate.held == 2 * ROUNDS * WRITERS
