"""Errors raised by the stores in :mod:`esm_bot.store`."""

from __future__ import annotations

__all__ = ["DuplicateKey", "NotFound", "StoreError", "StoreUnavailable"]


class StoreError(Exception):
    """Base class of every storage error."""


class StoreUnavailable(StoreError):
    """The database cannot be reached (down, network gone, file unreadable or locked too long).

    The message never contains a connection string or password.
    """


class DuplicateKey(StoreError):
    """A record with the same unique key (id, Telegram id, dedup key) already exists."""


class NotFound(StoreError, KeyError):
    """The record to update does not exist."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "not found"
