"""The one retry layer around a backend call, built on tenacity.

Retried: :class:`~esm_validate.TransientBackendError` (connection errors, timeouts, 408, 409, 429,
5xx, 529) and unexpected exceptions from a third-party backend. Not retried: permanent errors (400,
401, 403, 404, ``insufficient_quota``) and :class:`~esm_validate.MalformedAIResponse`, since asking
the same question at temperature 0 gives the same bad answer. A ``Retry-After`` up to
``retry_after_cap`` is waited out exactly; a longer one ends the retries at once (the caller falls
back to local validation). Otherwise the wait is exponential with jitter from the injected *rng*.
No retry starts when its wait would run past the overall budget.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from typing import TypeVar

import attrs
import tenacity

from esm_validate._errors import MalformedAIResponse, PermanentBackendError, TransientBackendError
from esm_validate.protocols import Clock, Sleep

from .config import AIConfig

__all__ = ["RetryPolicy", "is_retryable"]

_T = TypeVar("_T")
_log = logging.getLogger("esm_validate.ai")


def is_retryable(exc: BaseException) -> bool:
    """Return True for failures worth another attempt (see the module docstring)."""
    if isinstance(exc, (MalformedAIResponse, PermanentBackendError)):
        return False
    if isinstance(exc, TransientBackendError):
        return True
    # A researcher's own backend may raise anything; treat a plain Exception as transient, but
    # never retry programming errors.
    return isinstance(exc, Exception) and not isinstance(
        exc, (TypeError, AttributeError, NameError)
    )


@attrs.frozen
class RetryPolicy:
    """When and how long to wait between attempts.

    Args:
        config: Attempts, backoff, Retry-After cap and budget.
        sleep: Called with each wait, in seconds (``time.sleep`` in production).
        clock: Monotonic clock used for the budget.
        rng: Source of jitter.
        on_retry: Called before each wait with (attempt number, exception, wait seconds).
    """

    config: AIConfig
    sleep: Sleep
    clock: Clock
    rng: random.Random = attrs.field(factory=random.Random)
    on_retry: Callable[[int, BaseException, float], None] | None = None

    def backoff(self, attempt: int) -> float:
        """Return the wait after failed attempt number *attempt* (1-based) without Retry-After."""
        base = min(self.config.backoff_max, self.config.backoff_initial * 2.0 ** (attempt - 1))
        return float(base + self.rng.uniform(0.0, self.config.jitter))

    def _wait(self, state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        retry_after = getattr(exc, "retry_after", None)
        if isinstance(retry_after, (int, float)) and retry_after >= 0:
            return float(retry_after)
        return self.backoff(state.attempt_number)

    def _stop(self, deadline: float) -> Callable[[tenacity.RetryCallState], bool]:
        def stop(state: tenacity.RetryCallState) -> bool:
            if state.attempt_number >= self.config.max_attempts:
                return True
            exc = state.outcome.exception() if state.outcome else None
            retry_after = getattr(exc, "retry_after", None)
            if isinstance(retry_after, (int, float)) and retry_after > self.config.retry_after_cap:
                _log.info(
                    "AI server asked to wait %.1f s, more than the %.1f s cap: giving up",
                    retry_after,
                    self.config.retry_after_cap,
                )
                return True
            wait = state.upcoming_sleep
            return self.clock() + wait + self.config.min_attempt_time >= deadline

        return stop

    def _before_sleep(self, state: tenacity.RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        if exc is None:  # pragma: no cover - tenacity only sleeps after a failure here
            return
        _log.info(
            "AI attempt %d failed (%s); retrying in %.2f s",
            state.attempt_number,
            type(exc).__name__,
            state.upcoming_sleep,
        )
        if self.on_retry is not None:
            self.on_retry(state.attempt_number, exc, state.upcoming_sleep)

    def call(self, attempt: Callable[[], _T], *, deadline: float) -> _T:
        """Run *attempt* until it succeeds, a failure is not retryable, or attempts/budget run out.

        The last exception is re-raised as it is (never a ``tenacity.RetryError``).
        """
        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception(is_retryable),
            stop=self._stop(deadline),
            wait=self._wait,
            sleep=self.sleep,
            before_sleep=self._before_sleep,
            reraise=True,
        )
        return retrying(attempt)
