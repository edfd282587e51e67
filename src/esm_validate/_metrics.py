"""Thread-safe counters for one validator: :class:`Metrics`.

There is no global registry: each composed validator owns one ``Metrics`` (see
:func:`esm_validate.from_env`), and exporters (:mod:`esm_validate.contrib.prometheus`,
:mod:`esm_validate.contrib.otel`) read :meth:`Metrics.snapshot`. Nothing here does I/O except
:meth:`Metrics.log_stats`, which writes one line to the ``esm_validate.metrics`` logger.

The names follow the original MSE bot's metrics where it had them (``validationSuccessRate``,
``averageResponseQuality``) and snake_case everywhere else.
"""

from __future__ import annotations

import collections
import logging
import math
import threading
from typing import Any, Final

from ._types import Assessment

__all__ = ["DEFAULT_RESERVOIR_SIZE", "Metrics"]

#: How many recent validation times are kept for the p95 (a bounded, most-recent-first reservoir).
DEFAULT_RESERVOIR_SIZE: Final = 2048

_LOGGER = logging.getLogger("esm_validate.metrics")


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

    The validator records each call (:meth:`record_validation`, :meth:`record_error`);
    Redis-backed layers record outages (:meth:`record_redis_error`). :meth:`snapshot` returns
    everything as a plain dict.
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
            }

    def log_stats(self, logger: logging.Logger | None = None) -> None:
        """Write a one-line summary at INFO (to ``esm_validate.metrics`` or ``logger``)."""
        s = self.snapshot()
        (logger or _LOGGER).info(
            "validations=%d errors=%d success_rate=%.3f avg_ms=%.1f p95_ms=%.1f "
            "cache_hit_rate=%.3f avg_quality=%.1f fallbacks=%s redis_errors=%d",
            s["validations"],
            s["validation_errors"],
            s["validationSuccessRate"],
            s["avg_validation_ms"],
            s["p95_validation_ms"],
            s["cache_hit_rate"],
            s["averageResponseQuality"],
            s["fallbacks_by_reason"] or 0,
            s["redis_errors"],
        )
