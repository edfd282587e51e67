"""Per-user rate limiting: :class:`SlidingWindowLimiter` and :class:`RateLimitedValidator`.

The limiter is an exact sliding-window log: a user may make ``limit`` requests in any ``window``
seconds (10 per 60 s by default), never more, even across a minute boundary. It never sleeps: a
refusal comes back at once with ``retry_after``, the seconds until the oldest request in the window
leaves it. The fallback layer turns that into local feedback with
``fallback_reason="rate_limited"``.
"""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, Final

import cachetools

from esm_validate._errors import RateLimitExceeded
from esm_validate._types import Assessment, Decision
from esm_validate.protocols import RateLimiter, Validator

from ._base import ForwardingLayer, close_quietly, inner_stats

__all__ = [
    "ANONYMOUS",
    "RateLimitedValidator",
    "SlidingWindowLimiter",
]

#: The limiter key used for calls without a ``user_id`` (they share one allowance).
ANONYMOUS: Final = "<anonymous>"


def _check_limits(limit: int, window: float) -> None:
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ValueError(f"limit must be an int >= 1, got {limit!r}")
    if not window > 0:
        raise ValueError(f"window must be > 0 seconds, got {window!r}")


class SlidingWindowLimiter:
    """An exact sliding-window-log limiter for many users, in one process.

    Args:
        limit: Requests allowed per ``window`` per key (default 10).
        window: The window in seconds (default 60).
        clock: A monotonic clock (``time.monotonic``; a fake one in tests).
        max_tracked_users: The most keys held at once (default 50 000). A key whose requests have
            all left the window is dropped automatically; beyond the cap the least recently active
            key is dropped, which at worst lets that user through early.

    Thread-safe: one lock around each decision, so many threads hammering one key are admitted
    exactly ``limit`` times per window.
    """

    def __init__(
        self,
        limit: int = 10,
        window: float = 60.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_tracked_users: int = 50_000,
    ) -> None:
        _check_limits(limit, window)
        if max_tracked_users < 1:
            raise ValueError(f"max_tracked_users must be >= 1, got {max_tracked_users!r}")
        self.limit = limit
        self.window = float(window)
        self.max_tracked_users = max_tracked_users
        self._clock = clock
        self._lock = threading.Lock()
        # An entry lives `window` seconds after its newest admitted request: by then all of its
        # timestamps have left the window, so dropping it loses nothing.
        self._logs: cachetools.TTLCache[str, collections.deque[float]] = cachetools.TTLCache(
            maxsize=max_tracked_users, ttl=self.window, timer=clock
        )

    def acquire(self, key: str, /) -> Decision:
        """Count a request for ``key`` and allow it, or refuse it with ``retry_after``."""
        with self._lock:
            now = self._clock()
            log = self._logs.get(key)
            if log is None:
                log = collections.deque()
            horizon = now - self.window
            while log and log[0] <= horizon:
                log.popleft()
            if len(log) >= self.limit:
                return Decision(False, 0, max(0.0, log[0] + self.window - now))
            log.append(now)
            self._logs[key] = log  # re-insert: refreshes the entry's TTL and LRU position
            return Decision(True, self.limit - len(log))

    def peek(self, key: str, /) -> Decision:
        """Return what :meth:`acquire` would say for ``key``, without counting anything."""
        with self._lock:
            now = self._clock()
            log = self._logs.get(key) or collections.deque()
            in_window = [t for t in log if t > now - self.window]
            if len(in_window) >= self.limit:
                return Decision(False, 0, max(0.0, in_window[0] + self.window - now))
            return Decision(True, self.limit - len(in_window))

    def reset(self, key: str | None = None, /) -> None:
        """Forget ``key`` (or every key when None)."""
        with self._lock:
            if key is None:
                self._logs.clear()
            else:
                self._logs.pop(key, None)

    @property
    def tracked_users(self) -> int:
        """How many keys are held right now (idle ones are purged first)."""
        with self._lock:
            self._logs.expire()
            return len(self._logs)

    def __repr__(self) -> str:
        return f"SlidingWindowLimiter(limit={self.limit}, window={self.window:g})"


class RateLimitedValidator(ForwardingLayer):
    """A layer that asks a :class:`RateLimiter` before calling ``inner``.

    Args:
        inner: The validator to protect (usually the AI validator).
        limiter: Decides per user; calls without ``user_id`` share the key :data:`ANONYMOUS`.

    Raises :class:`~esm_validate.RateLimitExceeded` (with ``retry_after``) when refused; put a
    :class:`~esm_validate.FallbackValidator` outside it to answer locally instead.
    """

    def __init__(self, inner: Validator, limiter: RateLimiter) -> None:
        self.inner = inner
        self.limiter = limiter
        self._lock = threading.Lock()
        self._refused = 0

    def validate(
        self,
        text: str,
        *,
        user_id: str | None = None,
        training_day: int | None = None,
        lang: str | None = None,
    ) -> Assessment:
        """Call ``inner`` if the user has quota left, else raise ``RateLimitExceeded``."""
        decision = self.limiter.acquire(ANONYMOUS if user_id is None else str(user_id))
        if not decision.allowed:
            with self._lock:
                self._refused += 1
            raise RateLimitExceeded(decision.retry_after, user_id=user_id)
        return self.inner.validate(text, user_id=user_id, training_day=training_day, lang=lang)

    def stats(self) -> Mapping[str, Any]:
        """Return ``inner``'s stats plus the limit and how many calls were refused."""
        merged = inner_stats(self.inner)
        tracked = getattr(self.limiter, "tracked_users", None)
        with self._lock:
            refused = self._refused
        merged.update(
            rate_limit=self.limiter.limit,
            rate_window_s=self.limiter.window,
            rate_limited=refused,
        )
        if isinstance(tracked, int):
            merged["rate_tracked_users"] = tracked
        return merged

    def close(self) -> None:
        """Close the wrapped validator and the limiter (if they have ``close``)."""
        close_quietly(self.inner)
        close_quietly(self.limiter)

    def __repr__(self) -> str:
        return f"RateLimitedValidator({self.inner!r}, {self.limiter!r})"
