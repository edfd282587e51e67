"""The bot's own durable record of Telegram traffic in a small SQLite file beside the outage
journal: the outbox of replies keyed ``"<update_id>:<n>"`` (owed, sent or given up) and the inbox
of updates held during a database outage (docs/storage.md, "The bot's ledger")."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import attrs

__all__ = ["KEEP_SETTLED", "Ledger", "Owed", "ledger_path"]

#: How long settled outbox rows are kept (Telegram redelivers an unconfirmed update for 24 h).
KEEP_SETTLED = 2 * 24 * 3600.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    key TEXT PRIMARY KEY,
    chat_id INTEGER NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'owed',
    message_id INTEGER,
    created REAL NOT NULL,
    settled REAL
);
CREATE INDEX IF NOT EXISTS outbox_owed ON outbox (state, created);
CREATE TABLE IF NOT EXISTS inbox (
    update_id INTEGER PRIMARY KEY,
    chat_id INTEGER,
    body TEXT NOT NULL,
    created REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS inbox_chat ON inbox (chat_id);
"""


def ledger_path(journal_path: str | os.PathLike[str]) -> Path:
    """The ledger beside an outage journal: ``journal.jsonl`` → ``journal.ledger.sqlite3``."""
    path = Path(journal_path)
    return path.with_name(f"{path.stem}.ledger.sqlite3")


@attrs.frozen
class Owed:
    """A reply in the outbox: ``state`` is ``"owed"``, ``"sent"`` or ``"failed"`` (given up);
    ``reply_markup`` is Bot API JSON; ``message_id`` is Telegram's, once sent."""

    key: str
    chat_id: int
    text: str
    reply_markup: str | None = None
    state: str = "owed"
    message_id: int | None = None


class Ledger:
    """The outbox and the inbox in one SQLite file (``":memory:"``: nothing survives the
    process); ``clock`` gives wall-clock seconds for pruning settled rows."""

    def __init__(
        self, path: str | os.PathLike[str] = ":memory:", *, clock: Callable[[], float] = time.time
    ) -> None:
        self.path = str(path)
        self._clock = clock
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        self._busy: set[str] = set()
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")  # durable across a killed process
            self._db.executescript(_SCHEMA)
            self._db.execute(
                "DELETE FROM outbox WHERE state != 'owed' AND settled < ?",
                (self._clock() - KEEP_SETTLED,),
            )

    def close(self) -> None:
        """Close the file (safe to call twice)."""
        with self._lock:
            self._db.close()

    def owe(self, owed: Owed) -> Owed | None:
        """Before sending a reply: None if this caller should send it now (also one an earlier
        process left owed); else the settled row, or ``state == "busy"`` while another sends it."""
        with self._lock:
            if owed.key in self._busy:
                return attrs.evolve(owed, state="busy")
            row = self._db.execute(
                "SELECT state, message_id FROM outbox WHERE key = ?", (owed.key,)
            ).fetchone()
            if row is not None and row[0] != "owed":
                return attrs.evolve(owed, state=row[0], message_id=row[1])
            self._busy.add(owed.key)
            return None

    def settle(self, owed: Owed, state: str, message_id: int | None = None) -> None:
        """Record a reply as ``"sent"`` (with its message id), ``"failed"`` (given up) or
        ``"owed"`` again (the process is stopping: the next process sends it)."""
        now = self._clock()
        with self._lock:
            self._busy.discard(owed.key)
            payload = json.dumps(
                {"text": owed.text, "markup": owed.reply_markup}, ensure_ascii=False
            )
            self._db.execute(
                "INSERT INTO outbox (key, chat_id, payload, state, message_id, created, settled) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET "
                "state = excluded.state, message_id = excluded.message_id, "
                "settled = excluded.settled",
                (owed.key, owed.chat_id, payload, state, message_id, now, now),
            )

    def take_owed(self, limit: int = 100) -> list[Owed]:
        """Owed replies nobody is sending, oldest first, marked busy for the caller."""
        with self._lock:
            rows = self._db.execute(
                "SELECT key, chat_id, payload FROM outbox WHERE state = 'owed' "
                "ORDER BY created, key LIMIT ?",
                (limit + len(self._busy),),
            ).fetchall()
            taken: list[Owed] = []
            for key, chat_id, payload in rows:
                if key in self._busy or len(taken) >= limit:
                    continue
                data = json.loads(payload)
                self._busy.add(key)
                taken.append(Owed(key, int(chat_id), str(data["text"]), data.get("markup")))
            return taken

    def hold(self, update_id: int, chat_id: int | None, body: Mapping[str, Any]) -> None:
        """Keep an update for later (idempotent by update id)."""
        text = json.dumps(dict(body), ensure_ascii=False, separators=(",", ":"))
        insert = (
            "INSERT OR IGNORE INTO inbox (update_id, chat_id, body, created) VALUES (?, ?, ?, ?)"
        )
        self._sql(insert, update_id, chat_id, text, self._clock())

    def holding(self, chat_id: int | None) -> bool:
        """True when updates of this chat are waiting in the inbox."""
        query = "SELECT 1 FROM inbox WHERE chat_id = ? LIMIT 1"
        return chat_id is not None and bool(self._sql(query, chat_id))

    def held(self, limit: int = 100) -> list[dict[str, Any]]:
        """Held updates (raw Bot API JSON), oldest first."""
        rows = self._sql("SELECT body FROM inbox ORDER BY update_id LIMIT ?", limit)
        return [json.loads(body) for (body,) in rows]

    def handled(self, update_id: int) -> None:
        """Remove a held update once it was handled."""
        self._sql("DELETE FROM inbox WHERE update_id = ?", update_id)

    def counts(self) -> dict[str, int]:
        """``{"owed": n, "held": n}`` for metrics and the shutdown log."""
        [(owed,)] = self._sql("SELECT count(*) FROM outbox WHERE state = 'owed'")
        [(held,)] = self._sql("SELECT count(*) FROM inbox")
        return {"owed": int(owed), "held": int(held)}

    def _sql(self, query: str, *args: Any) -> list[Any]:
        with self._lock:
            return self._db.execute(query, args).fetchall()
