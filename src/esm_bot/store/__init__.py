"""Storage for the bot: the :class:`Store` Protocol, its SQLite and MongoDB implementations, and the
journal that keeps writes safe while the database is unreachable.

Open a store with :func:`open_store` (arguments) or :func:`store_from_env` (environment). The
embedded SQLite store is the default; ``MONGODB_URI`` selects MongoDB. Both come wrapped in a
:class:`ResilientStore` with a journal unless asked not to.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from esm_bot.domain.clock import utc_now
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

if TYPE_CHECKING:  # mypy proves that every implementation satisfies the Protocol
    from esm_bot.store.mongo import MongoStore

    def _conforms(a: SqliteStore, b: MongoStore, c: ResilientStore) -> tuple[Store, ...]:
        return (a, b, c)


def open_store(
    *,
    mongodb_uri: str | None = None,
    mongodb_db: str | None = None,
    db_path: str | os.PathLike[str] = DEFAULT_DB_PATH,
    journal_path: str | os.PathLike[str] | None = None,
    resilient: bool = True,
    clock: Callable[[], float] = time.monotonic,
    utcnow: Callable[[], dt.datetime] = utc_now,
    mongo_client: Any = None,
) -> Store:
    """Open the configured store.

    Args:
        mongodb_uri: Use MongoDB at this URI (``pymongo`` is imported only then).
        mongodb_db: The MongoDB database (default: the URI's database, else ``"esm_bot"``).
        db_path: The SQLite file when no MongoDB is configured.
        journal_path: The outage journal (default :func:`default_journal_path` of ``db_path``).
        resilient: Wrap the store in a :class:`ResilientStore` with a journal (default True).
        clock: Monotonic clock for the resilient wrapper (injected in tests).
        utcnow: The wall clock for stores (injected in tests).
        mongo_client: An existing ``pymongo.MongoClient`` to use instead of ``mongodb_uri``.

    Raises:
        StoreError: The URI is invalid, or the SQLite file cannot be opened.
    """
    inner: Store
    if mongodb_uri or mongo_client is not None:
        from esm_bot.store.mongo import MongoStore

        inner = MongoStore(mongo_client or mongodb_uri, mongodb_db, utcnow=utcnow)
    else:
        inner = SqliteStore(db_path, utcnow=utcnow)
    if not resilient:
        return inner
    path = journal_path if journal_path is not None else default_journal_path(db_path)
    return ResilientStore(inner, path, clock=clock, utcnow=utcnow)


def store_from_env(environ: Mapping[str, str] | None = None, **kwargs: Any) -> Store:
    """Open the store the environment describes.

    ``MONGODB_URI`` (with an optional ``ESM_MONGODB_DB``) selects MongoDB; otherwise SQLite at
    ``ESM_DB_PATH`` (default ``./esm_bot.sqlite3``). ``ESM_JOURNAL_PATH`` sets the outage journal
    (default beside the database file). Extra keyword arguments go to :func:`open_store`.
    The URI's password never appears in errors.
    """
    where = StoreSettings.from_env(os.environ if environ is None else environ)
    return open_store(
        mongodb_uri=where.mongodb_uri,
        mongodb_db=where.mongodb_db,
        db_path=where.db_path,
        journal_path=where.journal_file,
        **kwargs,
    )
