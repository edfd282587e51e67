"""Thread-safe counters for one validator: :class:`Metrics`.

There is no global registry: each composed validator owns one ``Metrics`` (see
:func:`esm_validate.from_env`), and exporters (:mod:`esm_validate.contrib.prometheus`,
:mod:`esm_validate.contrib.otel`) read :meth:`Metrics.snapshot`. Nothing here does I/O except
:meth:`Metrics.log_stats`, which writes one line to the ``esm_validate.metrics`` logger.

The names follow the seed's ``utils/metrics.js`` where it had one (``validationSuccessRate``,
``averageResponseQuality``) and snake_case everywhere else.
"""

from __future__ import annotations

import collections
import logging
import math
import threading
from collections.abc import Callable
from typing import Any, Final

from ._types import Assessment

__all__ = ["DEFAULT_RESERVOIR_SIZE", "Metrics"]

#: How many recent validation times are kept for the p95 (a bounded, most-recent-first reservoir).
DEFAULT_RESERVOIR_SIZE: Final = 2048

_LOGGER = logging.getLogger("esm_validate.metrics")

#: Wait for ``timeout`` seconds or until stopped; True means "stop now" (``threading.Event.wait``).
Wait = Callable[[float], bool]


def _percentile(values: list[float], fraction: float) -> float:
    """Return the nearest-rank percentile of ``values`` (0.0 when empty)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def _ratio(part: int | float, whole: int | float) -> float:
    return float(part) / float(whole) if whole else 0.0


class Metrics:
    """Counters and timings of one validator, safe to update from many threads.

    Args:
        reservoir_size: How many recent validation times to keep for the p95 figure.

    The validator records each call (:meth:`record_validation`, :meth:`record_error`); the bot
    records training progress (:meth:`record_training_started`, :meth:`record_training_completed`,
    :meth:`record_training_dropped_out`); Redis-backed layers record outages
    (:meth:`record_redis_error`). :meth:`snapshot` returns everything as a plain dict.
    """

    def __init__(self, *, reservoir_size: int = DEFAULT_RESERVOIR_SIZE) -> None:
        if reservoir_size < 1:
            raise ValueError(f"reservoir_size must be >= 1, got {reservoir_size!r}")
        self._lock = threading.Lock()
        self._validations = 0
        self._errors = 0
        self._time_total_s = 0.0
        self._recent_times_s: collections.deque[float] = collections.deque(maxlen=reservoir_size)
        self._cache_hits = 0
        self._cache_misses = 0
        self._score_total = 0
        self._scored = 0
        self._by_day: dict[int, list[int]] = {}
        self._by_source: collections.Counter[str] = collections.Counter()
        self._phenomena: collections.Counter[str] = collections.Counter()
        self._ai_success: collections.Counter[str] = collections.Counter()
        self._ai_failure: collections.Counter[str] = collections.Counter()
        self._fallbacks: collections.Counter[str] = collections.Counter()
        self._redis_errors = 0
        self._training_started = 0
        self._training_completed = 0
        self._training_dropped_out = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- recording ----------------------------------------------------------------------------

    def record_validation(
        self,
        assessment: Assessment,
        *,
        duration_s: float,
        training_day: int | None = None,
        cache_used: bool = False,
        ai_provider: str | None = None,
    ) -> None:
        """Record one successful ``validate()`` call and what it returned.

        Args:
            assessment: The answer given to the caller.
            duration_s: How long the call took.
            training_day: The participant's training day, if any (for quality by day).
            cache_used: True when the call went through a cache (counts a hit or a miss).
            ai_provider: The configured AI provider, used to count AI failures that fell back.
        """
        with self._lock:
            self._validations += 1
            self._time_total_s += duration_s
            self._recent_times_s.append(duration_s)
            self._score_total += assessment.score
            self._scored += 1
            if training_day is not None:
                day = self._by_day.setdefault(training_day, [0, 0])
                day[0] += assessment.score
                day[1] += 1
            self._by_source["cache" if assessment.cached else assessment.source] += 1
            self._phenomena.update(assessment.phenomena)
            if cache_used:
                if assessment.cached:
                    self._cache_hits += 1
                else:
                    self._cache_misses += 1
            if assessment.source == "ai" and not assessment.cached:
                self._ai_success[assessment.provider] += 1
            if assessment.fallback_reason is not None:
                self._fallbacks[assessment.fallback_reason] += 1
                if assessment.fallback_reason != "rate_limited" and ai_provider:
                    self._ai_failure[ai_provider] += 1

    def record_error(self, *, duration_s: float) -> None:
        """Record a ``validate()`` call that raised (bad input or a bug; never an AI outage)."""
        with self._lock:
            self._validations += 1
            self._errors += 1
            self._time_total_s += duration_s
            self._recent_times_s.append(duration_s)

    def record_redis_error(self) -> None:
        """Record one Redis call that failed (the layer carried on without Redis)."""
        with self._lock:
            self._redis_errors += 1

    def record_training_started(self) -> None:
        """Record that a participant started the training days."""
        with self._lock:
            self._training_started += 1

    def record_training_completed(self) -> None:
        """Record that a participant finished the training days."""
        with self._lock:
            self._training_completed += 1

    def record_training_dropped_out(self) -> None:
        """Record that a participant left during training."""
        with self._lock:
            self._training_dropped_out += 1

    # -- reading ------------------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """Return every figure as a plain, JSON-ready dict (a copy; safe to keep)."""
        with self._lock:
            times = list(self._recent_times_s)
            validations = self._validations
            succeeded = validations - self._errors
            cache_lookups = self._cache_hits + self._cache_misses
            fallbacks = sum(self._fallbacks.values())
            return {
                "validations": validations,
                "validation_errors": self._errors,
                "validationSuccessRate": _ratio(succeeded, validations),
                "avg_validation_ms": 1000.0 * _ratio(self._time_total_s, validations),
                "p95_validation_ms": 1000.0 * _percentile(times, 0.95),
                "cache_hits": self._cache_hits,
                "cache_misses": self._cache_misses,
                "cache_hit_rate": _ratio(self._cache_hits, cache_lookups),
                "averageResponseQuality": _ratio(self._score_total, self._scored),
                "quality_by_training_day": {
                    str(day): _ratio(total, count)
                    for day, (total, count) in sorted(self._by_day.items())
                },
                "by_source": dict(self._by_source),
                "phenomena": dict(self._phenomena),
                "ai_calls": {
                    provider: {
                        "success": self._ai_success[provider],
                        "failure": self._ai_failure[provider],
                    }
                    for provider in sorted(set(self._ai_success) | set(self._ai_failure))
                },
                "fallbacks": fallbacks,
                "fallbacks_by_reason": dict(self._fallbacks),
                "fallback_rate": _ratio(fallbacks, succeeded),
                "redis_errors": self._redis_errors,
                "training": {
                    "started": self._training_started,
                    "completed": self._training_completed,
                    "dropped_out": self._training_dropped_out,
                    "completion_rate": _ratio(self._training_completed, self._training_started),
                },
            }

    def log_stats(self, logger: logging.Logger | None = None) -> None:
        """Write a one-line summary at INFO (to ``esm_validate.metrics`` or ``logger``)."""
        s = self.snapshot()
        (logger or _LOGGER).info(
            "validations=%d errors=%d success_rate=%.3f avg_ms=%.1f p95_ms=%.1f "
            "cache_hit_rate=%.3f avg_quality=%.1f fallbacks=%s redis_errors=%d "
            "training_completion_rate=%.3f",
            s["validations"],
            s["validation_errors"],
            s["validationSuccessRate"],
            s["avg_validation_ms"],
            s["p95_validation_ms"],
            s["cache_hit_rate"],
            s["averageResponseQuality"],
            s["fallbacks_by_reason"] or 0,
            s["redis_errors"],
            s["training"]["completion_rate"],
        )

    # -- periodic logging ---------------------------------------------------------------------

    def start_periodic_logging(
        self,
        minutes: float = 60.0,
        *,
        logger: logging.Logger | None = None,
        wait: Wait | None = None,
    ) -> None:
        """Call :meth:`log_stats` every ``minutes`` on a daemon thread until :meth:`stop`.

        Args:
            minutes: The interval (the seed logs hourly: 60).
            logger: Where to log (default ``esm_validate.metrics``).
            wait: ``wait(seconds) -> stop?``; default is an internal ``threading.Event.wait``, so
                :meth:`stop` wakes the thread at once. Tests pass their own to avoid waiting.

        Raises:
            ValueError: ``minutes`` is not a positive number.
            RuntimeError: Periodic logging is already running.
        """
        if not (isinstance(minutes, int | float) and math.isfinite(minutes) and minutes > 0):
            raise ValueError(f"minutes must be a positive number, got {minutes!r}")
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                raise RuntimeError("periodic logging is already running; call stop() first")
            self._stop.clear()
            interval = 60.0 * float(minutes)
            waiter: Wait = wait or self._stop.wait
            thread = threading.Thread(
                target=self._log_loop,
                args=(interval, waiter, logger),
                name="esm-validate-metrics",
                daemon=True,
            )
            self._thread = thread
        thread.start()

    def _log_loop(self, interval: float, wait: Wait, logger: logging.Logger | None) -> None:
        while not wait(interval) and not self._stop.is_set():
            try:
                self.log_stats(logger)
            except Exception:  # a broken handler must not kill the thread silently forever
                _LOGGER.exception("periodic metrics logging failed")

    def stop(self, timeout: float = 5.0) -> None:
        """Stop periodic logging and wait (at most ``timeout`` s) for the thread to end."""
        self._stop.set()
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    @property
    def periodic_logging(self) -> bool:
        """True while the periodic logging thread runs."""
        thread = self._thread
        return thread is not None and thread.is_alive()
