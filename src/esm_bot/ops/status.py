"""The three outcomes of a health check or configuration item."""

from __future__ import annotations

import enum

__all__ = ["CheckStatus"]


class CheckStatus(enum.StrEnum):
    """The outcome of one check: ok, warn (still healthy) or fail."""

    OK = "ok"
    WARN = "warn"
    FAIL = "fail"

    @property
    def mark(self) -> str:
        """The mark printed before the check's line (the original MSE bot's ✅ ⚠️ ❌)."""
        return {"ok": "✅", "warn": "⚠️ ", "fail": "❌"}[self.value]
