"""Fallback to local validation: :class:`FallbackValidator`.

When the primary (AI) validator fails with one of the library's own errors (an AI outage, a
timeout, a bad key, an invalid answer, or the per-user rate limit), the report is assessed by the
local rules instead and the answer says why (``fallback_reason``) and, when rate limited, when AI
feedback resumes (``retry_after``). Programming errors (``TypeError`` and the like) propagate: a
bug must not hide behind a fallback.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Mapping
from typing import Any

import attrs

from esm_validate._errors import BackendError, RateLimitExceeded
from esm_validate._types import Assessment
from esm_validate.protocols import LocalFunction, Validator

from ._base import ForwardingLayer, as_validator, close_quietly, inner_stats

__all__ = ["FALLBACK_ON", "FallbackValidator"]

#: The errors that trigger a fallback: the library's backend family and the rate limit.
FALLBACK_ON: tuple[type[Exception], ...] = (BackendError, RateLimitExceeded)

_LOGGER = logging.getLogger("esm_validate.fallback")


class FallbackValidator(ForwardingLayer):
    """A layer that answers with ``fallback`` when ``primary`` fails.

    Args:
        primary: The validator tried first (usually the rate-limited AI validator).
        fallback: What answers instead: a validator, a function like :func:`esm_validate.validate`,
            or None for the local rules.
        logger: Where the one WARNING per failure goes (default ``esm_validate.fallback``). The
            message names the error class, reason and HTTP status: never the report text, the
            user id or a key.
    """

    def __init__(
        self,
        primary: Validator,
        fallback: Validator | LocalFunction | None = None,
        *,
        logger: logging.Logger | None = None,
    ) -> None:
        self.primary = self.inner = primary
        self.fallback = as_validator(fallback)
        self._logger = logger or _LOGGER
        self._lock = threading.Lock()
        self._reasons: Counter[str] = Counter()

    def validate(
        self,
        text: str,
        *,
        user_id: str | None = None,
        training_day: int | None = None,
        lang: str | None = None,
    ) -> Assessment:
        """Return the primary's answer, or the fallback's with ``fallback_reason`` set."""
        try:
            return self.primary.validate(
                text, user_id=user_id, training_day=training_day, lang=lang
            )
        except FALLBACK_ON as exc:
            reason = str(getattr(exc, "fallback_reason", "ai_unavailable"))
            retry_after = exc.retry_after if isinstance(exc, RateLimitExceeded) else None
            self._log(exc, reason)
            with self._lock:
                self._reasons[reason] += 1
        local = self.fallback.validate(text, user_id=user_id, training_day=training_day, lang=lang)
        return attrs.evolve(local, fallback_reason=reason, retry_after=retry_after)

    def _log(self, exc: Exception, reason: str) -> None:
        status = getattr(exc, "status", None)
        retry_after = getattr(exc, "retry_after", None)
        self._logger.warning(
            "answered with local validation instead of %s: %s (%s%s%s)",
            self.provider,
            type(exc).__name__,
            reason,
            f", status {status}" if status is not None else "",
            f", retry after {retry_after:.1f} s" if isinstance(retry_after, int | float) else "",
        )

    @property
    def fallbacks(self) -> Mapping[str, int]:
        """How many calls fell back, by ``fallback_reason``."""
        with self._lock:
            return dict(self._reasons)

    def stats(self) -> Mapping[str, Any]:
        """Return the primary's stats plus ``fallbacks`` (total) and ``fallbacks_by_reason``."""
        merged = inner_stats(self.primary)
        reasons = self.fallbacks
        merged.update(fallbacks=sum(reasons.values()), fallbacks_by_reason=reasons)
        return merged

    def close(self) -> None:
        """Close both validators (if they have ``close``)."""
        close_quietly(self.primary)
        close_quietly(self.fallback)

    def __repr__(self) -> str:
        return f"FallbackValidator({self.primary!r}, {self.fallback!r})"
