"""Exactly-once beep claims across OS processes (issue 9, "more than one machine").

Two worker processes (``python -c WORKER``) claim due beeps from the same MongoDB database, or the
same SQLite file, at the same time: every beep is claimed (and "sent") exactly once. A worker that
dies right after claiming leaves its beep to the other once the lease has run out.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from esm_bot.domain.models import Beep, BeepStatus, beep_id
from esm_bot.store import SqliteStore, Store
from esm_bot.store.mongo import MongoStore

pytestmark = pytest.mark.process  # every test here starts worker processes

T0 = dt.datetime(2026, 3, 2, 6, 0, tzinfo=dt.UTC)
DAY = dt.date(2026, 3, 2)

#: A worker: claims every due beep it can at ``now``, marks it sent, prints the ids it sent.
#: argv: backend target db_name worker now_iso lease_s go_file [die_after_first_claim]
WORKER = r"""
import datetime as dt, json, os, sys, time
from pathlib import Path
from esm_bot.domain.models import BeepStatus
backend, target, db_name, worker, now_iso, lease_s, go_file = sys.argv[1:8]
die = len(sys.argv) > 8
if backend == "sqlite":
    from esm_bot.store.sqlite import SqliteStore
    store = SqliteStore(target)
else:
    from esm_bot.store.mongo import MongoStore
    store = MongoStore(target, db_name)
now = dt.datetime.fromisoformat(now_iso)
lease = dt.timedelta(seconds=float(lease_s))
Path(go_file + "." + worker + ".ready").touch()
deadline = time.monotonic() + 30
while not Path(go_file).exists() and time.monotonic() < deadline:
    time.sleep(0.001)
sent = []
while True:
    due = store.due_beeps(now, limit=1000)
    if not due:
        break
    for beep in due:
        claimed = store.claim_beep(beep.id, worker, now, lease)
        if claimed is None:
            continue
        if die:
            os._exit(3)  # killed after claiming, before sending
        sent.append(beep.id)
        time.sleep(0.002)  # sending takes a moment, so the other worker overtakes
        store.update_beep(beep.id, status=BeepStatus.SENT, sent_at=now,
                          claimed_by=None, claim_until=None)
print(json.dumps(sent))
store.close()
"""


def plan(n_participants: int, per_day: int) -> list[Beep]:
    return [
        Beep(
            id=beep_id(f"p{p}", DAY, i),
            participant_id=f"p{p}",
            local_date=DAY,
            index=i,
            scheduled_at=T0 + dt.timedelta(minutes=i),
        )
        for p in range(n_participants)
        for i in range(per_day)
    ]


def run_workers(
    args: list[str], names: list[str], now: dt.datetime, tmp_path: Path, *, die: bool = False
) -> list[subprocess.CompletedProcess[str]]:
    go = tmp_path / f"go-{uuid.uuid4().hex[:8]}"
    procs = []
    for name in names:
        argv = [sys.executable, "-c", WORKER, *args, name, now.isoformat(), "60", str(go)]
        if die:
            argv.append("die")
        procs.append(
            subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        )
    deadline = time.monotonic() + 30
    ready = [Path(f"{go}.{name}.ready") for name in names]
    while not all(r.exists() for r in ready):  # every worker imported and connected ...
        assert time.monotonic() < deadline, "the workers did not start"
        assert all(p.poll() is None for p in procs), "a worker exited early"
        time.sleep(0.01)
    go.touch()  # ... then all start claiming at the same moment
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        results.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
    return results


def sent_ids(result: subprocess.CompletedProcess[str]) -> list[str]:
    assert result.returncode == 0, result.stderr
    ids: list[str] = json.loads(result.stdout.strip().splitlines()[-1])
    return ids


@pytest.fixture(params=["sqlite", "mongo"])
def shared(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    """(store in this process, argv prefix for the workers) over one shared database."""
    if request.param == "sqlite":
        path = tmp_path / "shared.sqlite3"
        store: Store = SqliteStore(path)
        args = ["sqlite", str(path), "-"]
    else:
        uri = request.getfixturevalue("mongo_uri")
        db_name = request.getfixturevalue("mongo_db_name")
        store = MongoStore(uri, db_name)
        args = ["mongo", uri, db_name]
    yield store, args
    store.close()


@pytest.mark.integration
def test_two_processes_send_each_beep_exactly_once(shared: Any, tmp_path: Path) -> None:
    store, args = shared
    beeps = plan(10, 6)
    store.upsert_beeps(beeps)
    a, b = run_workers(args, ["A", "B"], T0 + dt.timedelta(hours=1), tmp_path)
    sent_a, sent_b = sent_ids(a), sent_ids(b)
    assert sorted(sent_a + sent_b) == sorted(x.id for x in beeps)  # each once, none missed
    assert not set(sent_a) & set(sent_b)
    assert sent_a, "both workers should have competed"
    assert sent_b, "both workers should have competed"
    assert {x.status for x in store.iter_beeps()} == {BeepStatus.SENT}


@pytest.mark.integration
def test_a_process_killed_mid_claim_leaves_its_beep_to_the_other(
    shared: Any, tmp_path: Path
) -> None:
    store, args = shared
    beeps = plan(1, 3)
    store.upsert_beeps(beeps)
    now = T0 + dt.timedelta(hours=1)
    (dead,) = run_workers(args, ["A"], now, tmp_path, die=True)
    assert dead.returncode == 3
    held = [x for x in store.iter_beeps() if x.claimed_by == "A"]
    assert len(held) == 1
    # within the lease, the survivor sends everything else but not the dead worker's beep
    (early,) = run_workers(args, ["B"], now + dt.timedelta(seconds=30), tmp_path)
    assert sorted(sent_ids(early)) == sorted(x.id for x in beeps if x.id != held[0].id)
    # after the lease has run out, the survivor takes it over
    (late,) = run_workers(args, ["B"], now + dt.timedelta(seconds=61), tmp_path)
    assert sent_ids(late) == [held[0].id]
    assert {x.status for x in store.iter_beeps()} == {BeepStatus.SENT}
