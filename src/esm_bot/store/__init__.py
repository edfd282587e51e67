"""Storage for the bot: the :class:`Store` Protocol, its SQLite and MongoDB implementations, and the
journal that keeps writes safe while the database is unreachable."""

from __future__ import annotations

from esm_bot.store.base import Store, StoreStatus
from esm_bot.store.errors import DuplicateKey, NotFound, StoreError, StoreUnavailable

__all__ = [
    "DuplicateKey",
    "NotFound",
    "Store",
    "StoreError",
    "StoreStatus",
    "StoreUnavailable",
]
