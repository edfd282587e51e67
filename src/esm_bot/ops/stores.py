"""Open the store the bot is configured to use, for the operations commands."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["open_store_from_env"]


def open_store_from_env(environ: Mapping[str, str]) -> Any:
    """Open the store the bot uses: ``store_from_env`` (MONGODB_URI, else ESM_DB_PATH)."""
    import esm_bot.store

    from_env: Callable[[Mapping[str, str]], Any] | None = getattr(
        esm_bot.store, "store_from_env", None
    )
    if from_env is not None:
        return from_env(environ)
    uri = environ.get("MONGODB_URI", "").strip()
    if uri:
        from esm_bot.store.mongo import MongoStore

        return MongoStore(uri, environ.get("ESM_MONGODB_DB") or None)
    from esm_bot.store.sqlite import SqliteStore

    return SqliteStore(environ.get("ESM_DB_PATH") or "esm_bot.sqlite3")
