"""The embedded store: stdlib :mod:`sqlite3` in WAL mode, the default, so the bot runs with nothing
installed. Each table keeps the record as a JSON ``doc`` (the source of truth) plus indexed
columns; the layout is in docs/storage.md.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar

import attrs

from esm_bot.domain.models import Event, utc_ms, utc_now
from esm_bot.store.base import TABLES, Store
from esm_bot.store.codec import decode, encode, encode_changes
from esm_bot.store.errors import DuplicateKey, StoreError, StoreUnavailable

__all__ = ["SqliteStore"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS participants (
    id TEXT PRIMARY KEY, telegram_id INTEGER UNIQUE, status TEXT NOT NULL,
    created_at REAL NOT NULL, doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS participants_status_created ON participants (status, created_at, id);
CREATE INDEX IF NOT EXISTS participants_created ON participants (created_at, id);
CREATE TABLE IF NOT EXISTS beeps (
    id TEXT PRIMARY KEY, participant_id TEXT NOT NULL, status TEXT NOT NULL,
    scheduled_at REAL NOT NULL, claimed_by TEXT, claim_until REAL, doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS beeps_status_time ON beeps (status, scheduled_at, id);
CREATE INDEX IF NOT EXISTS beeps_participant_time ON beeps (participant_id, scheduled_at, id);
CREATE INDEX IF NOT EXISTS beeps_time ON beeps (scheduled_at, id);
CREATE TABLE IF NOT EXISTS reports (
    id TEXT PRIMARY KEY, dedup_key TEXT NOT NULL UNIQUE, participant_id TEXT NOT NULL,
    beep_id TEXT, received_at REAL NOT NULL, doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS reports_participant_time ON reports (participant_id, received_at, id);
CREATE INDEX IF NOT EXISTS reports_time ON reports (received_at, id);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, participant_id TEXT,
    kind TEXT NOT NULL, at REAL NOT NULL, doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_participant ON events (participant_id, seq);
CREATE INDEX IF NOT EXISTS events_by_kind ON events (kind, seq);
CREATE INDEX IF NOT EXISTS events_by_time ON events (at);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

_SQL_OPS = {"$gt": ">", "$gte": ">=", "$lt": "<", "$lte": "<="}
_PAGE = 500

T = TypeVar("T")


def _ts(value: dt.datetime) -> float:
    return utc_ms(value).timestamp()


def _doc(cls: type[Any]) -> str:
    """The stored document of a row (an event's with its ``seq``, which is the table's)."""
    return "json_set(doc, '$.seq', seq)" if cls is Event else "doc"


def _dump(doc: Mapping[str, Any]) -> str:
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))


def _sql(query: dict[str, Any]) -> tuple[str, list[Any]]:
    """Translate a query (:class:`~esm_bot.store.base.Store`) into a condition on the columns."""
    parts: list[str] = []
    args: list[Any] = []
    for column, condition in query.items():
        if column == "$or":
            alternatives = [_sql(q) for q in condition]
            parts.append("(" + " OR ".join(sql for sql, _ in alternatives) + ")")
            args.extend(arg for _, more in alternatives for arg in more)
        elif condition is None:
            parts.append(f"{column} IS NULL")
        elif isinstance(condition, dict):
            for op, value in condition.items():
                if op == "$in":
                    parts.append(f"{column} IN ({','.join('?' * len(value))})")
                    args.extend(value)
                else:
                    parts.append(f"{column} {_SQL_OPS[op]} ?")
                    args.append(_ts(value) if isinstance(value, dt.datetime) else value)
        else:
            parts.append(f"{column} = ?")
            args.append(condition)
    return " AND ".join(parts), args


#: The indexed columns of each table, kept in step with its ``doc`` by every write.
_COLUMNS = {
    "participants": ("id", "telegram_id", "status", "created_at"),
    "beeps": ("id", "participant_id", "status", "scheduled_at", "claimed_by", "claim_until"),
    "reports": ("id", "dedup_key", "participant_id", "beep_id", "received_at"),
    "events": ("id", "participant_id", "kind", "at"),
}
_TIMES = {"created_at", "scheduled_at", "claim_until", "received_at", "at"}


def _row(table: str, doc: Mapping[str, Any]) -> dict[str, Any]:
    """The indexed columns of a stored document (times as epoch seconds)."""
    row = {}
    for column in _COLUMNS[table]:
        value = doc.get(column, "registered" if column == "status" else None)
        if column in _TIMES and value is not None:
            value = _ts(dt.datetime.fromisoformat(value))
        row[column] = value
    return row


class SqliteStore(Store):
    """A :class:`~esm_bot.store.base.Store` in one SQLite file at ``path`` (or ``":memory:"``);
    a write waits ``busy_timeout_s`` for another process's lock before it counts as unavailable."""

    backend = "sqlite"

    def __init__(
        self,
        path: str | os.PathLike[str] = "esm_bot.sqlite3",
        *,
        utcnow: Callable[[], dt.datetime] = utc_now,
        busy_timeout_s: float = 10.0,
    ) -> None:
        self.path = self.target = str(path)
        self._utcnow = utcnow
        self._lock = threading.RLock()
        try:
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self._conn: sqlite3.Connection | None = sqlite3.connect(
                self.path, timeout=busy_timeout_s, isolation_level=None, check_same_thread=False
            )
            self._conn.execute("PRAGMA journal_mode = WAL")  # an in-memory database stays "memory"
            self._conn.execute("PRAGMA synchronous = NORMAL")
            self._conn.execute("PRAGMA secure_delete = ON")  # deleted data is overwritten
            self._conn.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"cannot open the SQLite database {self.path}: {exc}") from exc

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreUnavailable(f"the SQLite store {self.path} is closed")
        return self._conn

    @contextlib.contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                yield self._connection()
            except sqlite3.IntegrityError as exc:
                raise DuplicateKey(str(exc)) from exc
            except sqlite3.OperationalError as exc:
                raise StoreUnavailable(f"SQLite database {self.path}: {exc}") from exc
            except sqlite3.Error as exc:
                raise StoreError(f"SQLite database {self.path}: {exc}") from exc

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._read() as conn:
            if conn.in_transaction:  # inside _atomic: part of its transaction
                yield conn
                return
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def _find(self, cls: type[T], query: dict[str, Any], limit: int | None = None) -> list[T]:
        table, order = TABLES[cls]
        where, args = _sql(query)
        sql = f"SELECT {_doc(cls)} FROM {table}" + (f" WHERE {where}" if where else "")
        sql += f" ORDER BY {', '.join(order)} LIMIT ?"  # a negative limit is none
        with self._read() as conn:
            rows = conn.execute(sql, [*args, -1 if limit is None else limit]).fetchall()
        return [decode(cls, json.loads(row[0])) for row in rows]

    def _iter(self, cls: type[T], query: dict[str, Any], *, raw: bool = False) -> Iterator[Any]:
        # A page a query, after the last one of the page before.
        table, order = TABLES[cls]
        where, args = _sql(query)
        keys = ", ".join(order)
        sql = (
            f"SELECT {keys}, {_doc(cls)} FROM {table} WHERE {where + ' AND ' if where else ''}"
            f"({keys}) > ({', '.join('?' * len(order))}) ORDER BY {keys} LIMIT ?"
        )
        last: tuple[Any, ...] = (-1e18, "")[: len(order)]
        while True:
            with self._read() as conn:
                rows = conn.execute(sql, (*args, *last, _PAGE)).fetchall()
            for row in rows:
                doc = json.loads(row[-1])
                yield {**doc, "id": row[-2]} if raw else decode(cls, doc)
            if len(rows) < _PAGE:
                return
            last = tuple(rows[-1][: len(order)])

    def _set(
        self, cls: type[T], query: dict[str, Any], fields: dict[str, Any], *, raw: bool = False
    ) -> T | dict[str, Any] | None:
        changes = fields if raw else encode_changes(cls, fields)
        docs = self._update(cls, query, changes, " LIMIT 1")
        if not docs:
            return None
        return docs[0] if raw else decode(cls, docs[0])

    def _set_all(self, cls: type[Any], query: dict[str, Any], fields: dict[str, Any]) -> int:
        return len(self._update(cls, query, fields))

    def _update(
        self, cls: type[Any], query: dict[str, Any], changes: dict[str, Any], limit: str = ""
    ) -> list[dict[str, Any]]:
        """Rewrite the docs (and columns) of the rows ``query`` selects; return the new docs."""
        table = TABLES[cls][0]
        where, args = _sql(query)
        docs = []
        with self._write() as conn:
            rows = conn.execute(f"SELECT id, doc FROM {table} WHERE {where}{limit}", args)
            for key, text in rows.fetchall():
                doc = {**json.loads(text), **changes}
                columns = _row(table, doc)
                del columns["id"]
                sets = "".join(f"{column} = ?, " for column in columns)
                conn.execute(
                    f"UPDATE {table} SET {sets}doc = ? WHERE id = ?",
                    (*columns.values(), _dump(doc), key),
                )
                docs.append(doc)
        return docs

    def _insert(self, record: T, *, replace: bool = False) -> T:
        table = TABLES[type(record)][0]
        doc = encode(record)
        if isinstance(record, Event):
            del doc["seq"]  # the table's own
        row = _row(table, doc)
        sql = f"INSERT INTO {table} ({', '.join(row)}, doc) VALUES ({'?, ' * len(row)}?)"
        if replace:
            new = ", ".join(f"{c} = excluded.{c}" for c in (*_COLUMNS[table][1:], "doc"))
            sql += f" ON CONFLICT (id) DO UPDATE SET {new}"
        with self._write() as conn:
            cursor = conn.execute(sql, (*row.values(), _dump(doc)))
        return attrs.evolve(record, seq=cursor.lastrowid) if isinstance(record, Event) else record

    def _delete(self, cls: type[Any], query: dict[str, Any]) -> int:
        where, args = _sql(query)
        with self._write() as conn:
            return conn.execute(f"DELETE FROM {TABLES[cls][0]} WHERE {where}", args).rowcount

    def _atomic(self) -> contextlib.AbstractContextManager[Any]:
        return self._write()

    def ping(self) -> float:
        started = time.perf_counter()
        with self._read() as conn:
            conn.execute("SELECT count(*) FROM meta").fetchone()
        return time.perf_counter() - started

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def counts(self) -> dict[str, int]:
        with self._read() as conn:
            return {
                table: int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
                for table, _ in TABLES.values()
            }

    def delete_participant_data(self, participant_id: str) -> dict[str, int]:
        erased = super().delete_participant_data(participant_id)
        self._checkpoint()
        return erased

    def _checkpoint(self) -> None:
        # Fold the WAL into the database file and empty it, so deleted text is gone from both.
        # It fails while another process reads: that process's next checkpoint does it.
        with contextlib.suppress(StoreError), self._read() as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()

    def get_meta(self, key: str) -> Any:
        with self._read() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else json.loads(row[0])

    def set_meta(self, key: str, value: Any) -> None:
        with self._write() as conn:
            conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, json.dumps(value, ensure_ascii=False)),
            )
