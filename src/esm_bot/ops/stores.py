"""Open the store the bot is configured to use, for the operations commands.

The commands open the database directly (``resilient=False``): a migration or an export must fail
loudly when the database is down rather than be journaled. The bot's outage journal belongs to the
bot process; :func:`journal_pending` only counts its entries, it never replays them.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["journal_path_from_env", "journal_pending", "open_store_from_env"]


def open_store_from_env(environ: Mapping[str, str]) -> Any:
    """Open the configured store without the journal (MONGODB_URI, else SQLite at ESM_DB_PATH)."""
    from esm_bot.store import store_from_env

    return store_from_env(environ, resilient=False)


def journal_path_from_env(environ: Mapping[str, str]) -> Path:
    """Return the bot's outage journal path: ``ESM_JOURNAL_PATH``, else beside the database."""
    from esm_bot.store import DEFAULT_DB_PATH, default_journal_path

    configured = environ.get("ESM_JOURNAL_PATH", "").strip()
    if configured:
        return Path(configured)
    return default_journal_path(environ.get("ESM_DB_PATH", "").strip() or DEFAULT_DB_PATH)


def journal_pending(environ: Mapping[str, str]) -> int:
    """Count the writes waiting in the bot's journal file (0 when there is none). Reads only."""
    path = journal_path_from_env(environ)
    try:
        with path.open(encoding="utf-8") as handle:
            return sum(1 for line in handle if line.strip())
    except FileNotFoundError:
        return 0
