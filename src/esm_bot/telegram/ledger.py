"""The bot's own durable record of Telegram traffic: owed replies (outbox) and held updates (inbox).

A small SQLite file on the local disk of the process (``<journal>.ledger.sqlite3`` beside the
outage journal), independent of the study database, so that it works the same over SQLite and
MongoDB and while MongoDB is unreachable. Every write is committed before the call returns
(WAL; a committed row survives SIGKILL of the process).

- **Outbox.** A reply to an update is recorded under the key ``"<update_id>:<n>"`` (its *n*-th
  message) before it is sent, and settled (sent, or given up) after. A redelivered update makes
  the same keys: a reply already sent is not sent again, a reply still owed is sent once. Replies
  left owed by a process that stopped (SIGTERM while waiting out a 429, SIGKILL) are sent by the
  next process at start.
- **Inbox.** An update that cannot be handled because the database is unreachable is kept here
  (the raw update JSON), confirmed to Telegram, and handled again when the database answers.
  While a chat has held updates, its new updates are held behind them, so its order is kept.

Settled outbox rows are pruned after :data:`KEEP_SETTLED`.
"""

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

__all__ = ["KEEP_SETTLED", "Held", "Ledger", "Owed", "ledger_path"]

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
    """A reply in the outbox.

    Attributes:
        key: ``"<update_id>:<n>"``.
        chat_id: Where it goes.
        text: The message text.
        reply_markup: The inline keyboard as Bot API JSON, if any.
        state: ``"owed"``, ``"sent"`` or ``"failed"`` (given up, e.g. 400 or 403).
        message_id: Telegram's id of the sent message, once sent.
    """

    key: str
    chat_id: int
    text: str
    reply_markup: str | None = None
    state: str = "owed"
    message_id: int | None = None


@attrs.frozen
class Held:
    """An update kept for later: its id, chat and raw Bot API JSON."""

    update_id: int
    chat_id: int | None
    body: Mapping[str, Any]


class Ledger:
    """The outbox and the inbox in one SQLite file; see the module docstring.

    Args:
        path: The file, or ``":memory:"`` (tests and the console: nothing survives the process).
        clock: Wall-clock seconds, for pruning.
    """

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

    # -- outbox ----------------------------------------------------------------------------------

    def owe(self, owed: Owed) -> Owed | None:
        """Record a reply before sending it; return None if this caller should send it now.

        Returns the stored row instead when the key is known: already sent or given up (a
        redelivered update), or being sent by another thread right now (``state == "busy"``).
        A row still owed by an earlier process is taken over by this caller (None).
        """
        with self._lock:
            if owed.key in self._busy:
                return attrs.evolve(owed, state="busy")
            row = self._db.execute(
                "SELECT state, message_id FROM outbox WHERE key = ?", (owed.key,)
            ).fetchone()
            if row is not None and row[0] != "owed":
                return attrs.evolve(owed, state=row[0], message_id=row[1])
            if row is None:
                self._db.execute(
                    "INSERT INTO outbox (key, chat_id, payload, created) VALUES (?, ?, ?, ?)",
                    (owed.key, owed.chat_id, _payload(owed), self._clock()),
                )
            self._busy.add(owed.key)
            return None

    def settle(self, key: str, *, sent: bool, message_id: int | None = None) -> None:
        """Mark a reply sent (with its message id) or given up; either way it is not owed."""
        with self._lock:
            self._busy.discard(key)
            self._db.execute(
                "UPDATE outbox SET state = ?, message_id = ?, settled = ? WHERE key = ?",
                ("sent" if sent else "failed", message_id, self._clock(), key),
            )

    def release(self, key: str) -> None:
        """Leave a reply owed (the process is stopping): the next process sends it."""
        with self._lock:
            self._busy.discard(key)

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

    # -- inbox -----------------------------------------------------------------------------------

    def hold(self, update_id: int, chat_id: int | None, body: Mapping[str, Any]) -> None:
        """Keep an update for later (idempotent by update id)."""
        text = json.dumps(dict(body), ensure_ascii=False, separators=(",", ":"))
        with self._lock:
            self._db.execute(
                "INSERT OR IGNORE INTO inbox (update_id, chat_id, body, created) "
                "VALUES (?, ?, ?, ?)",
                (update_id, chat_id, text, self._clock()),
            )

    def holding(self, chat_id: int | None) -> bool:
        """True when updates of this chat are waiting in the inbox."""
        if chat_id is None:
            return False
        with self._lock:
            row = self._db.execute(
                "SELECT 1 FROM inbox WHERE chat_id = ? LIMIT 1", (chat_id,)
            ).fetchone()
        return row is not None

    def held(self, limit: int = 100) -> list[Held]:
        """Held updates, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT update_id, chat_id, body FROM inbox ORDER BY update_id LIMIT ?", (limit,)
            ).fetchall()
        return [Held(int(u), None if c is None else int(c), json.loads(b)) for u, c, b in rows]

    def handled(self, update_id: int) -> None:
        """Remove a held update once it was handled."""
        with self._lock:
            self._db.execute("DELETE FROM inbox WHERE update_id = ?", (update_id,))

    def counts(self) -> dict[str, int]:
        """``{"owed": n, "held": n}`` for metrics and the shutdown log."""
        with self._lock:
            owed = self._db.execute("SELECT count(*) FROM outbox WHERE state = 'owed'").fetchone()
            held = self._db.execute("SELECT count(*) FROM inbox").fetchone()
        return {"owed": int(owed[0]), "held": int(held[0])}


def _payload(owed: Owed) -> str:
    return json.dumps({"text": owed.text, "markup": owed.reply_markup}, ensure_ascii=False)
