"""Open the store the bot is configured to use, for the operations commands.

The commands open the database directly (``resilient=False``): a migration or an export must fail
loudly when the database is down rather than be journaled. The bot's outage journal belongs to the
bot process; :func:`journal_pending` only counts its entries, it never replays them.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from esm_bot.settings import StoreSettings
from esm_bot.store.errors import StoreUnavailable

__all__ = ["NoDatabase", "describe_store", "journal_pending", "open_store_from_env"]

#: Where ``esm-bot console`` keeps its conversation unless ``--db`` or ``ESM_DB_PATH`` say else.
CONSOLE_DB_PATH = "esm_console.sqlite3"


class NoDatabase(StoreUnavailable):
    """A command that only reads found no SQLite file where the environment points."""


def _sqlite_path(environ: Mapping[str, str]) -> Path | None:
    """The SQLite file named by ``ESM_DB_PATH`` (else the default); None when MongoDB is used."""
    where = StoreSettings.from_env(environ)
    return None if where.mongodb_uri else Path(where.db_path)


def describe_store(environ: Mapping[str, str]) -> str:
    """Where the study data is, in words: the SQLite file's absolute path or the MongoDB database.

    A MongoDB URI is never shown (it may hold a password); only the database name is.
    """
    path = _sqlite_path(environ)
    if path is not None:
        return f"SQLite database {path.resolve()}"
    name = StoreSettings.from_env(environ).mongodb_db
    return f"MongoDB database {name}" if name else "MongoDB database named in MONGODB_URI"


def open_store_from_env(environ: Mapping[str, str], *, must_exist: bool = False) -> Any:
    """Open the configured store without the journal (MONGODB_URI, else SQLite at ESM_DB_PATH).

    With ``must_exist`` (the commands that only read: stats, report, export, health) a missing
    SQLite file is an error saying where it was looked for, instead of a new empty database.

    Raises:
        NoDatabase: ``must_exist`` and there is no SQLite file.
        StoreUnavailable: The database cannot be opened.
    """
    from esm_bot.store import store_from_env

    path = _sqlite_path(environ)
    if must_exist and path is not None and not path.exists():
        msg = (
            f"no study database at {path.resolve()} (set ESM_DB_PATH to the bot's file; "
            f"esm-bot console keeps its conversation in {CONSOLE_DB_PATH}: "
            f"ESM_DB_PATH={CONSOLE_DB_PATH} esm-bot stats)"
        )
        raise NoDatabase(msg)
    return store_from_env(environ, resilient=False)


def journal_pending(environ: Mapping[str, str]) -> int:
    """Count the writes waiting in the bot's journal file (0 when there is none). Reads only."""
    path = StoreSettings.from_env(environ).journal_file  # ESM_JOURNAL_PATH, else by the database
    try:
        with path.open(encoding="utf-8") as handle:
            return sum(1 for line in handle if line.strip())
    except FileNotFoundError:
        return 0
