"""The embedded store: stdlib :mod:`sqlite3` in WAL mode, the default so the bot runs with nothing
installed.

Each table keeps the record as a JSON document (``doc``, the source of truth, so migrations treat
participants as documents on both stores) plus indexed columns for every query. Timestamps in the
indexed columns are epoch seconds. One connection is shared by all threads behind a lock; every
write is one ``BEGIN IMMEDIATE`` transaction, so several processes can share the file safely.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar

import attrs

from esm_bot.domain.clock import utc_now
from esm_bot.domain.models import (
    Beep,
    BeepStatus,
    Event,
    Participant,
    ParticipantStatus,
    Report,
    utc_ms,
)
from esm_bot.store.base import StoreStatus
from esm_bot.store.codec import (
    check_changes,
    decode,
    encode,
    encode_changes,
    status_values,
    tombstone_of,
)
from esm_bot.store.errors import DuplicateKey, NotFound, StoreError, StoreUnavailable

__all__ = ["SqliteStore"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS participants (
    id TEXT PRIMARY KEY,
    telegram_id INTEGER UNIQUE,
    status TEXT NOT NULL,
    created_at REAL NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS participants_status_created ON participants (status, created_at, id);
CREATE INDEX IF NOT EXISTS participants_created ON participants (created_at, id);
CREATE TABLE IF NOT EXISTS beeps (
    id TEXT PRIMARY KEY,
    participant_id TEXT NOT NULL,
    status TEXT NOT NULL,
    scheduled_at REAL NOT NULL,
    claimed_by TEXT,
    claim_until REAL,
    doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS beeps_status_time ON beeps (status, scheduled_at, id);
CREATE INDEX IF NOT EXISTS beeps_participant_time ON beeps (participant_id, scheduled_at, id);
CREATE INDEX IF NOT EXISTS beeps_time ON beeps (scheduled_at, id);
CREATE TABLE IF NOT EXISTS reports (
    id TEXT PRIMARY KEY,
    dedup_key TEXT NOT NULL UNIQUE,
    participant_id TEXT NOT NULL,
    beep_id TEXT,
    received_at REAL NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS reports_participant_time ON reports (participant_id, received_at, id);
CREATE INDEX IF NOT EXISTS reports_time ON reports (received_at, id);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    participant_id TEXT,
    kind TEXT NOT NULL,
    at REAL NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_participant ON events (participant_id, seq);
CREATE INDEX IF NOT EXISTS events_by_kind ON events (kind, seq);
CREATE INDEX IF NOT EXISTS events_by_time ON events (at);
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""

_UNSENT = (BeepStatus.SCHEDULED.value, BeepStatus.CANCELLED.value)
_PAGE = 500

T = TypeVar("T")


def _ts(value: dt.datetime) -> float:
    return utc_ms(value).timestamp()


def _dump(doc: Mapping[str, Any]) -> str:
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))


class SqliteStore:
    """A :class:`~esm_bot.store.base.Store` in one SQLite file (WAL mode).

    Args:
        path: The database file (created with its directory if missing), or ``":memory:"``.
        utcnow: The wall clock, for ``updated_at`` and deletion times (injected in tests).
        busy_timeout_s: How long a write waits for another process's lock before the database
            counts as unavailable.
    """

    backend = "sqlite"

    def __init__(
        self,
        path: str | os.PathLike[str] = "esm_bot.sqlite3",
        *,
        utcnow: Callable[[], dt.datetime] = utc_now,
        busy_timeout_s: float = 10.0,
    ) -> None:
        self.path = str(path)
        self._utcnow = utcnow
        self._lock = threading.RLock()
        try:
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self._conn: sqlite3.Connection | None = sqlite3.connect(
                self.path, timeout=busy_timeout_s, isolation_level=None, check_same_thread=False
            )
            self._conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
            if self.path != ":memory:":
                self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.execute("PRAGMA synchronous = NORMAL")
            self._conn.execute("PRAGMA secure_delete = ON")  # deleted data is overwritten
            with self._write() as conn:
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        conn.execute(statement)
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"cannot open the SQLite database {self.path}: {exc}") from exc

    # plumbing

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreUnavailable(f"the SQLite store {self.path} is closed")
        return self._conn

    @contextlib.contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        with self._lock, self._errors():
            yield self._connection()

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One ``BEGIN IMMEDIATE`` transaction: committed on success, rolled back on error."""
        with self._lock, self._errors():
            conn = self._connection()
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.IntegrityError as exc:
            raise DuplicateKey(str(exc)) from exc
        except sqlite3.OperationalError as exc:
            raise StoreUnavailable(f"SQLite database {self.path}: {exc}") from exc
        except sqlite3.Error as exc:
            raise StoreError(f"SQLite database {self.path}: {exc}") from exc

    def _select(self, cls: type[T], query: str, args: Iterable[Any] = ()) -> list[T]:
        """Run a query whose first column is ``doc``; return the decoded records."""
        with self._read() as conn:
            rows = conn.execute(query, list(args)).fetchall()
        return [decode(cls, json.loads(row[0])) for row in rows]

    @staticmethod
    def _doc(conn: sqlite3.Connection, table: str, record_id: str) -> dict[str, Any] | None:
        row = conn.execute(f"SELECT doc FROM {table} WHERE id = ?", (record_id,)).fetchone()
        return None if row is None else dict(json.loads(row[0]))

    def _paged(
        self, cls: type[T], table: str, column: str, since: dt.datetime | None
    ) -> Iterator[T]:
        """Yield a table's records from ``since`` on, in ``(column, id)`` order, a page a query."""
        last: tuple[float, str] = (-1e18 if since is None else _ts(since) - 1e-9, "")
        query = (
            f"SELECT {column}, id, doc FROM {table} WHERE ({column}, id) > (?, ?)"
            f" ORDER BY {column}, id LIMIT ?"
        )
        while True:
            with self._read() as conn:
                rows = conn.execute(query, (*last, _PAGE)).fetchall()
            for row in rows:
                yield decode(cls, json.loads(row[2]))
            if len(rows) < _PAGE:
                return
            last = (rows[-1][0], rows[-1][1])

    def ping(self) -> float:
        """Run one query; return its duration in seconds."""
        started = time.perf_counter()
        with self._read() as conn:
            conn.execute("SELECT count(*) FROM meta").fetchone()
        return time.perf_counter() - started

    def close(self) -> None:
        """Close the connection (safe to call twice)."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def status(self) -> StoreStatus:
        """Return the (never degraded) status of this store."""
        return StoreStatus(backend=self.backend, target=self.path)

    # participants

    def add_participant(self, participant: Participant) -> Participant:
        """Store a new participant (:class:`DuplicateKey` if the id or Telegram id is taken)."""
        doc = encode(participant)
        with self._write() as conn:
            conn.execute(
                "INSERT INTO participants (id, telegram_id, status, created_at, doc)"
                " VALUES (?, ?, ?, ?, ?)",
                (
                    participant.id,
                    participant.telegram_id,
                    participant.status.value,
                    _ts(participant.created_at),
                    _dump(doc),
                ),
            )
        return participant

    def _one_participant(self, where: str, arg: object) -> Participant | None:
        found = self._select(Participant, f"SELECT doc FROM participants WHERE {where} = ?", [arg])
        return found[0] if found else None

    def get_participant(self, participant_id: str) -> Participant | None:
        """Return the participant with this id, or None."""
        return self._one_participant("id", participant_id)

    def get_participant_by_telegram(self, telegram_id: int) -> Participant | None:
        """Return the participant with this Telegram id, or None."""
        return self._one_participant("telegram_id", telegram_id)

    def _write_participant_doc(
        self, conn: sqlite3.Connection, participant_id: str, doc: dict[str, Any]
    ) -> None:
        conn.execute(
            "UPDATE participants SET telegram_id = ?, status = ?, doc = ? WHERE id = ?",
            (doc.get("telegram_id"), doc.get("status", "registered"), _dump(doc), participant_id),
        )

    def update_participant(self, participant_id: str, **changes: Any) -> Participant:
        """Set the named fields only (and ``updated_at``); return the updated participant."""
        changes.setdefault("updated_at", self._utcnow())
        encoded = encode_changes(Participant, changes)
        with self._write() as conn:
            doc = self._doc(conn, "participants", participant_id)
            if doc is None:
                raise NotFound(f"no participant {participant_id!r}")
            doc.update(encoded)
            self._write_participant_doc(conn, participant_id, doc)
        return decode(Participant, doc)

    def list_participants(
        self, status: ParticipantStatus | Collection[ParticipantStatus] | None = None
    ) -> list[Participant]:
        """Return participants (optionally with the given status or statuses), oldest first."""
        query = "SELECT doc FROM participants"
        args = [] if status is None else status_values(status)
        if status is not None:
            query += f" WHERE status IN ({','.join('?' * len(args))})"
        return self._select(Participant, query + " ORDER BY created_at, id", args)

    # beeps

    @staticmethod
    def _beep_row(beep: Beep) -> tuple[Any, ...]:
        return (
            beep.id,
            beep.participant_id,
            beep.status.value,
            _ts(beep.scheduled_at),
            beep.claimed_by,
            None if beep.claim_until is None else _ts(beep.claim_until),
            _dump(encode(beep)),
        )

    def upsert_beeps(self, beeps: Iterable[Beep], *, replace_unsent: bool = False) -> int:
        """Insert new beeps (existing ids untouched unless ``replace_unsent``); return the count."""
        insert = (
            "INSERT INTO beeps (id, participant_id, status, scheduled_at, claimed_by, claim_until,"
            " doc) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO "
        )
        if replace_unsent:
            insert += (
                "UPDATE SET participant_id = excluded.participant_id, status = excluded.status,"
                " scheduled_at = excluded.scheduled_at, claimed_by = excluded.claimed_by,"
                " claim_until = excluded.claim_until, doc = excluded.doc"
                " WHERE beeps.status IN (?, ?) AND beeps.claimed_by IS NULL"
            )
        else:
            insert += "NOTHING"
        written = 0
        with self._write() as conn:
            for beep in beeps:
                args = self._beep_row(beep) + (_UNSENT if replace_unsent else ())
                written += conn.execute(insert, args).rowcount
        return written

    def get_beep(self, beep_id: str) -> Beep | None:
        """Return the beep with this id, or None."""
        found = self._select(Beep, "SELECT doc FROM beeps WHERE id = ?", [beep_id])
        return found[0] if found else None

    def _beeps(self, where: str, args: Iterable[Any], limit: int | None = None) -> list[Beep]:
        query = f"SELECT doc FROM beeps WHERE {where} ORDER BY scheduled_at, id"
        params = list(args)
        if limit is not None:
            query += " LIMIT ?"
            params.append(limit)
        return self._select(Beep, query, params)

    def beeps_for(
        self,
        participant_id: str,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
    ) -> list[Beep]:
        """Return a participant's beeps with ``since <= scheduled_at < until``, in time order."""
        where, args = "participant_id = ?", list[object]([participant_id])
        if since is not None:
            where += " AND scheduled_at >= ?"
            args.append(_ts(since))
        if until is not None:
            where += " AND scheduled_at < ?"
            args.append(_ts(until))
        return self._beeps(where, args)

    def iter_beeps(self, since: dt.datetime | None = None) -> Iterator[Beep]:
        """Yield every beep scheduled at or after ``since``, in time order (paged)."""
        return self._paged(Beep, "beeps", "scheduled_at", since)

    def due_beeps(self, now: dt.datetime, limit: int = 100) -> list[Beep]:
        """Return scheduled beeps due at ``now`` with no live lease, oldest first."""
        ts = _ts(now)
        return self._beeps(
            "status = ? AND scheduled_at <= ? AND (claim_until IS NULL OR claim_until <= ?)",
            (BeepStatus.SCHEDULED.value, ts, ts),
            limit,
        )

    def beeps_in_status(
        self,
        status: BeepStatus,
        *,
        scheduled_before: dt.datetime | None = None,
        limit: int | None = None,
    ) -> list[Beep]:
        """Return beeps in one status (optionally scheduled before a time), oldest first."""
        where, args = "status = ?", list[object]([BeepStatus(status).value])
        if scheduled_before is not None:
            where += " AND scheduled_at < ?"
            args.append(_ts(scheduled_before))
        return self._beeps(where, args, limit)

    def claim_beep(
        self,
        beep_id: str,
        worker: str,
        now: dt.datetime,
        lease: dt.timedelta,
        *,
        status: BeepStatus = BeepStatus.SCHEDULED,
    ) -> Beep | None:
        """Atomically take the beep's lease (one ``UPDATE ... WHERE ... RETURNING``)."""
        until = utc_ms(now + lease)
        with self._write() as conn:
            row = conn.execute(
                "UPDATE beeps SET claimed_by = ?, claim_until = ?,"
                " doc = json_set(doc, '$.claimed_by', ?, '$.claim_until', ?)"
                " WHERE id = ? AND status = ?"
                " AND (claim_until IS NULL OR claim_until <= ? OR claimed_by = ?)"
                " RETURNING doc",
                (
                    worker,
                    until.timestamp(),
                    worker,
                    until.isoformat(),
                    beep_id,
                    BeepStatus(status).value,
                    _ts(now),
                    worker,
                ),
            ).fetchone()
        return None if row is None else decode(Beep, json.loads(row[0]))

    def update_beep(
        self, beep_id: str, *, if_status: Collection[BeepStatus] | None = None, **changes: Any
    ) -> Beep | None:
        """Set the named fields (only if the status is in ``if_status``, when given)."""
        checked = check_changes(Beep, changes)
        with self._write() as conn:
            doc = self._doc(conn, "beeps", beep_id)
            if doc is None:
                return None
            beep = decode(Beep, doc)
            if if_status is not None and beep.status not in {BeepStatus(s) for s in if_status}:
                return None
            beep = attrs.evolve(beep, **checked)
            values = self._beep_row(beep)
            conn.execute(
                "UPDATE beeps SET participant_id = ?, status = ?, scheduled_at = ?,"
                " claimed_by = ?, claim_until = ?, doc = ? WHERE id = ?",
                (*values[1:], beep_id),
            )
        return beep

    def cancel_future_beeps(self, participant_id: str, after: dt.datetime) -> int:
        """Cancel the participant's scheduled beeps after ``after``; return how many."""
        cancelled, scheduled = BeepStatus.CANCELLED.value, BeepStatus.SCHEDULED.value
        with self._write() as conn:
            cursor = conn.execute(
                "UPDATE beeps SET status = ?, doc = json_set(doc, '$.status', ?)"
                " WHERE participant_id = ? AND status = ? AND scheduled_at > ?",
                (cancelled, cancelled, participant_id, scheduled, _ts(after)),
            )
            return cursor.rowcount

    # reports

    def add_report(self, report: Report) -> tuple[Report, bool]:
        """Store the report unless its dedup key is known; return ``(report, created)``."""
        with self._write() as conn:
            row = conn.execute(
                "SELECT doc FROM reports WHERE dedup_key = ?", (report.dedup_key,)
            ).fetchone()
            if row is not None:
                return decode(Report, json.loads(row[0])), False
            conn.execute(
                "INSERT INTO reports (id, dedup_key, participant_id, beep_id, received_at, doc)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    report.id,
                    report.dedup_key,
                    report.participant_id,
                    report.beep_id,
                    _ts(report.received_at),
                    _dump(encode(report)),
                ),
            )
        return report, True

    def reports_for(self, participant_id: str, *, beep_id: str | None = None) -> list[Report]:
        """Return a participant's reports (optionally for one beep), oldest first."""
        where, args = "participant_id = ?", [participant_id]
        if beep_id is not None:
            where += " AND beep_id = ?"
            args.append(beep_id)
        query = f"SELECT doc FROM reports WHERE {where} ORDER BY received_at, id"
        return self._select(Report, query, args)

    def iter_reports(self, since: dt.datetime | None = None) -> Iterator[Report]:
        """Yield every report received at or after ``since``, oldest first (paged)."""
        return self._paged(Report, "reports", "received_at", since)

    # events

    def append_event(self, event: Event) -> Event:
        """Append the event (once per id); return it with its ``seq``."""
        with self._write() as conn:
            row = conn.execute("SELECT seq, doc FROM events WHERE id = ?", (event.id,)).fetchone()
            if row is not None:
                return attrs.evolve(decode(Event, json.loads(row[1])), seq=row[0])
            doc = encode(event)
            doc.pop("seq", None)
            cursor = conn.execute(
                "INSERT INTO events (id, participant_id, kind, at, doc) VALUES (?, ?, ?, ?, ?)",
                (event.id, event.participant_id, event.kind, _ts(event.at), _dump(doc)),
            )
            seq = cursor.lastrowid
        return attrs.evolve(event, seq=seq)

    def iter_events(
        self,
        *,
        participant_id: str | None = None,
        kind: str | None = None,
        since: dt.datetime | None = None,
    ) -> Iterator[Event]:
        """Yield events in append order, filtered as asked (paged)."""
        where, args = ["seq > ?"], list[object]([0])
        if participant_id is not None:
            where.append("participant_id = ?")
            args.append(participant_id)
        if kind is not None:
            where.append("kind = ?")
            args.append(kind)
        if since is not None:
            where.append("at >= ?")
            args.append(_ts(since))
        query = f"SELECT seq, doc FROM events WHERE {' AND '.join(where)} ORDER BY seq LIMIT ?"
        while True:
            with self._read() as conn:
                rows = conn.execute(query, (*args, _PAGE)).fetchall()
            for seq, doc in rows:
                yield attrs.evolve(decode(Event, json.loads(doc)), seq=seq)
            if len(rows) < _PAGE:
                return
            args[0] = rows[-1][0]

    # whole store

    def counts(self) -> dict[str, int]:
        """Return how many participants, beeps, reports and events are stored."""
        with self._read() as conn:
            return {
                table: int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
                for table in ("participants", "beeps", "reports", "events")
            }

    def delete_participant_data(self, participant_id: str) -> dict[str, int]:
        """Delete reports and beeps, empty event data, leave a tombstone participant."""
        now = self._utcnow()
        with self._write() as conn:
            reports = conn.execute(
                "DELETE FROM reports WHERE participant_id = ?", (participant_id,)
            ).rowcount
            beeps = conn.execute(
                "DELETE FROM beeps WHERE participant_id = ?", (participant_id,)
            ).rowcount
            events = conn.execute(
                "UPDATE events SET doc = json_set(doc, '$.data', json('{}'))"
                " WHERE participant_id = ?",
                (participant_id,),
            ).rowcount
            doc = self._doc(conn, "participants", participant_id)
            if doc is not None:
                tombstone = tombstone_of(doc, participant_id, now)
                conn.execute(
                    "UPDATE participants SET telegram_id = NULL, status = ?, doc = ? WHERE id = ?",
                    (tombstone.status.value, _dump(encode(tombstone)), participant_id),
                )
        self._checkpoint()
        return {
            "reports": reports,
            "beeps": beeps,
            "events": events,
            "participants": 0 if doc is None else 1,
        }

    def _checkpoint(self) -> None:
        """Fold the WAL into the database file and empty it, so deleted text is gone from both."""
        if self.path == ":memory:":
            return
        # It fails while another process reads: that process's next checkpoint does it.
        with contextlib.suppress(StoreError), self._read() as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()

    def get_meta(self, key: str) -> Any:
        """Return a metadata value, or None."""
        with self._read() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else json.loads(row[0])

    def set_meta(self, key: str, value: Any) -> None:
        """Set a metadata value (JSON-compatible)."""
        with self._write() as conn:
            conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, json.dumps(value, ensure_ascii=False)),
            )

    # raw documents

    def iter_raw_participants(self) -> Iterator[dict[str, Any]]:
        """Yield the stored participant documents, oldest first."""
        with self._read() as conn:
            rows = conn.execute(
                "SELECT id, doc FROM participants ORDER BY created_at, id"
            ).fetchall()
        for participant_id, doc in rows:
            raw = json.loads(doc)
            raw["id"] = participant_id
            yield raw

    def patch_raw_participant(self, participant_id: str, fields: Mapping[str, Any]) -> bool:
        """Set only the given top-level keys of a participant document; True if it exists."""
        if "id" in fields:
            raise TypeError("the id of a participant cannot be changed")
        with self._write() as conn:
            doc = self._doc(conn, "participants", participant_id)
            if doc is None:
                return False
            doc.update(fields)
            self._write_participant_doc(conn, participant_id, doc)
        return True
