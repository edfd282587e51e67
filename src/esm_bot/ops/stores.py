"""The environment of the operations commands: their variables and the store they open, without
the outage journal (a migration or export must fail loudly when the database is down)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from esm_bot.settings import StoreSettings
from esm_bot.store import StoreUnavailable, store_from_env

__all__ = ["NoDatabase", "describe_store", "journal_pending", "open_store_from_env"]

#: Where ``esm-bot console`` keeps its conversation unless ``--db`` or ``ESM_DB_PATH`` say else.
CONSOLE_DB_PATH = "esm_console.sqlite3"


class NoDatabase(StoreUnavailable):
    """A command that only reads found no SQLite file where the environment points."""


def describe_store(environ: Mapping[str, str]) -> str:
    """Where the study data is: the SQLite file's absolute path or the MongoDB database's name."""
    where = StoreSettings.from_env(environ)
    if not where.mongodb_uri:
        return f"SQLite database {Path(where.db_path).resolve()}"
    name = where.mongodb_db  # never the URI: it may hold a password
    return f"MongoDB database {name}" if name else "MongoDB database named in MONGODB_URI"


def open_store_from_env(environ: Mapping[str, str], *, must_exist: bool = False) -> Any:
    """Open the configured store without the journal; NoDatabase when ``must_exist`` and there is
    no SQLite file, StoreUnavailable when it cannot be opened."""
    where = StoreSettings.from_env(environ)
    path = Path(where.db_path)
    if must_exist and not where.mongodb_uri and not path.exists():
        msg = (
            f"no study database at {path.resolve()} (set ESM_DB_PATH to the bot's file; "
            f"esm-bot console keeps its conversation in {CONSOLE_DB_PATH}: "
            f"ESM_DB_PATH={CONSOLE_DB_PATH} esm-bot stats)"
        )
        raise NoDatabase(msg)
    return store_from_env(environ, resilient=False)


def journal_pending(environ: Mapping[str, str]) -> int:
    """Count the writes waiting in the bot's journal file (0 when there is none). Reads only."""
    try:
        with StoreSettings.from_env(environ).journal_file.open(encoding="utf-8") as handle:
            return sum(1 for line in handle if line.strip())
    except FileNotFoundError:
        return 0
