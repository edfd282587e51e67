"""A circuit breaker: after repeated AI failures, fail fast for a while instead of waiting.

Without it, a hanging AI server costs every report the whole time budget (three attempts of 10 s)
before the fallback answers. The breaker opens

* after ``failures`` consecutive failed calls (a call is one report, retries included),
* at once when the server asks to wait longer than the Retry-After cap (for that long, capped),
* at once on a rejected key (:class:`~esm_validate.BackendAuthError`): it will not heal by itself.

While open, calls raise at once an error of the same class as the one that opened it (so the
fallback reason stays true: ``ai_timeout``, ``ai_auth``, ...), with ``retry_after`` set to the
seconds left. When the pause is over, the next call is tried; one more failure opens it again.
Invalid answers (:class:`~esm_validate.MalformedAIResponse`) do not count: the server is up.
"""

from __future__ import annotations

import threading

from esm_validate._errors import BackendAuthError, BackendError, MalformedAIResponse
from esm_validate.protocols import Clock

__all__ = ["CircuitBreaker"]


class CircuitBreaker:
    """Counts failed calls and says when to stop calling (see the module docstring).

    Args:
        clock: Monotonic clock.
        failures: Consecutive failed calls that open the breaker (0 disables it).
        cooldown: Seconds it stays open after repeated failures or a rejected key.
        retry_after_cap: A server-requested wait above this opens the breaker for that wait.
        max_pause: Longest pause, whatever the server asks.
    """

    def __init__(
        self,
        *,
        clock: Clock,
        failures: int = 5,
        cooldown: float = 30.0,
        retry_after_cap: float = 10.0,
        max_pause: float = 300.0,
    ) -> None:
        self._clock = clock
        self._threshold = failures
        self._cooldown = cooldown
        self._retry_after_cap = retry_after_cap
        self._max_pause = max_pause
        self._lock = threading.Lock()
        self._consecutive = 0
        self._open_until = 0.0
        self._cause: BackendError | None = None
        self.trips = 0
        self.short_circuits = 0

    @property
    def enabled(self) -> bool:
        """False when ``failures`` is 0."""
        return self._threshold > 0

    def remaining(self) -> float:
        """Seconds until calls are tried again (0 when closed)."""
        with self._lock:
            return max(0.0, self._open_until - self._clock())

    def check(self) -> BackendError | None:
        """Return the error to raise instead of calling, or None to go ahead."""
        if not self.enabled:
            return None
        with self._lock:
            left = self._open_until - self._clock()
            if left <= 0 or self._cause is None:
                return None
            self.short_circuits += 1
            cause = self._cause
        return type(cause)(
            f"AI paused for another {left:.0f} s after: {cause}",
            status=cause.status,
            retry_after=left,
        )

    def record_success(self) -> None:
        """A call succeeded: close the breaker."""
        with self._lock:
            self._consecutive = 0
            self._cause = None

    def record_failure(self, exc: BackendError) -> None:
        """A call failed with *exc*; maybe open the breaker."""
        if not self.enabled or isinstance(exc, MalformedAIResponse):
            return
        pause = 0.0
        retry_after = exc.retry_after
        if retry_after is not None and retry_after > self._retry_after_cap:
            pause = retry_after
        with self._lock:
            self._consecutive += 1
            if isinstance(exc, BackendAuthError) or self._consecutive >= self._threshold:
                pause = max(pause, self._cooldown)
            if pause <= 0:
                return
            self._open_until = self._clock() + min(pause, self._max_pause)
            self._cause = exc
            self._consecutive = self._threshold - 1  # after the pause, one failure re-opens it
            self.trips += 1
