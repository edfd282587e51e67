"""Storage for the bot: the :class:`Store` base class, its SQLite and MongoDB implementations, and
the journal that keeps writes safe while the database is unreachable (docs/storage.md)."""

from __future__ import annotations

import os
from collections.abc import Mapping

from esm_bot.settings import DEFAULT_DB_PATH, StoreSettings, default_journal_path
from esm_bot.store.base import Store, StoreStatus
from esm_bot.store.errors import DuplicateKey, NotFound, StoreError, StoreUnavailable
from esm_bot.store.journal import Journal, JournalEntry
from esm_bot.store.resilient import ResilientStore
from esm_bot.store.sqlite import SqliteStore

__all__ = [
    "DEFAULT_DB_PATH",
    "DuplicateKey",
    "Journal",
    "JournalEntry",
    "NotFound",
    "ResilientStore",
    "SqliteStore",
    "Store",
    "StoreError",
    "StoreStatus",
    "StoreUnavailable",
    "default_journal_path",
    "open_store",
    "store_from_env",
]


def open_store(
    *,
    mongodb_uri: str | None = None,
    mongodb_db: str | None = None,
    db_path: str | os.PathLike[str] = DEFAULT_DB_PATH,
    journal_path: str | os.PathLike[str] | None = None,
    resilient: bool = True,
) -> Store:
    """Open MongoDB at ``mongodb_uri`` or else SQLite at ``db_path``.

    Wrapped in a :class:`ResilientStore` journaling to ``journal_path`` (default beside
    ``db_path``) unless ``resilient=False``. Raises :class:`StoreError` for an invalid URI or an
    SQLite file that cannot be opened.
    """
    inner: Store
    if mongodb_uri:
        from esm_bot.store.mongo import MongoStore

        inner = MongoStore(mongodb_uri, mongodb_db)
    else:
        inner = SqliteStore(db_path)
    if not resilient:
        return inner
    path = journal_path if journal_path is not None else default_journal_path(db_path)
    return ResilientStore(inner, path)


def store_from_env(environ: Mapping[str, str] | None = None, *, resilient: bool = True) -> Store:
    """Open the store ``MONGODB_URI``, ``ESM_MONGODB_DB``, ``ESM_DB_PATH`` and ``ESM_JOURNAL_PATH``
    describe (docs/configuration.md), with the journal unless ``resilient=False``."""
    where = StoreSettings.from_env(os.environ if environ is None else environ)
    return open_store(
        mongodb_uri=where.mongodb_uri,
        mongodb_db=where.mongodb_db,
        db_path=where.db_path,
        journal_path=where.journal_file,
        resilient=resilient,
    )
