"""An OpenTelemetry hook for :class:`~esm_validate.Metrics` (extra ``otel``).

Depends only on ``opentelemetry-api``; the application picks the SDK and exporter. Without an SDK
the API is a no-op, so calling :func:`instrument` is always safe::

    from esm_validate.contrib.otel import instrument

    validator = esm_validate.from_env()
    instrument(validator)            # uses the global MeterProvider, meter "esm_validate"

The instruments are *observable*: they read one :meth:`~esm_validate.Metrics.snapshot` when the
SDK collects, so the library adds no work per validation. ``opentelemetry`` is imported only here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import attrs

from esm_validate.contrib._source import MetricsSource, read_snapshot

__all__ = ["Instruments", "instrument"]

Reading = Callable[[dict[str, Any]], Iterable[tuple[float, dict[str, str]]]]


def _one(key: str, scale: float = 1.0) -> Reading:
    return lambda s: [(float(s[key]) * scale, {})]


def _labelled(key: str, label: str) -> Reading:
    return lambda s: [(float(v), {label: str(k)}) for k, v in sorted(s[key].items())]


def _ai_calls(s: dict[str, Any]) -> Iterable[tuple[float, dict[str, str]]]:
    return [
        (float(count), {"provider": provider, "outcome": outcome})
        for provider, outcomes in sorted(s["ai_calls"].items())
        for outcome, count in sorted(outcomes.items())
    ]


#: (instrument name, unit, description, reading) for every exported counter / gauge.
_COUNTERS: tuple[tuple[str, str, str, Reading], ...] = (
    ("esm_validate.validations", "1", "validate() calls, cached or not", _one("validations")),
    (
        "esm_validate.validation_errors",
        "1",
        "validate() calls that raised",
        _one("validation_errors"),
    ),
    ("esm_validate.cache.hits", "1", "Answers served from the cache", _one("cache_hits")),
    ("esm_validate.cache.misses", "1", "Cache lookups that missed", _one("cache_misses")),
    (
        "esm_validate.phenomena",
        "1",
        "Phenomena found, by phenomenon",
        _labelled("phenomena", "phenomenon"),
    ),
    ("esm_validate.ai.requests", "1", "AI validations by provider and outcome", _ai_calls),
    (
        "esm_validate.fallbacks",
        "1",
        "Local answers instead of AI, by reason",
        _labelled("fallbacks_by_reason", "reason"),
    ),
    ("esm_validate.redis.errors", "1", "Redis calls that failed", _one("redis_errors")),
)
_GAUGES: tuple[tuple[str, str, str, Reading], ...] = (
    (
        "esm_validate.validation.duration.avg",
        "s",
        "Average validation time",
        _one("avg_validation_ms", 0.001),
    ),
    (
        "esm_validate.validation.duration.p95",
        "s",
        "p95 of recent validation times",
        _one("p95_validation_ms", 0.001),
    ),
    ("esm_validate.cache.hit_ratio", "1", "cache hits / lookups", _one("cache_hit_rate")),
    (
        "esm_validate.response_quality.avg",
        "1",
        "Average report score (0..100)",
        _one("averageResponseQuality"),
    ),
    (
        "esm_validate.response_quality.by_day",
        "1",
        "Average score by training day",
        _labelled("quality_by_training_day", "training_day"),
    ),
)


@attrs.frozen
class Instruments:
    """The observable instruments created by :func:`instrument` (keep it to keep them alive)."""

    meter: Any
    instruments: tuple[Any, ...]


def instrument(source: MetricsSource, meter: Any | None = None) -> Instruments:
    """Create observable counters and gauges that report ``source``'s metrics.

    Args:
        source: A :class:`~esm_validate.Metrics` or the validator from
            :func:`esm_validate.from_env`.
        meter: An OpenTelemetry ``Meter``; default ``metrics.get_meter("esm_validate", version)``
            from the global provider.
    """
    from opentelemetry import metrics
    from opentelemetry.metrics import CallbackOptions, Observation

    from esm_validate import __version__

    if meter is None:
        meter = metrics.get_meter("esm_validate", __version__)

    def callback(reading: Reading) -> Callable[[CallbackOptions], Iterable[Observation]]:
        def observe(_options: CallbackOptions) -> Iterable[Observation]:
            snapshot = read_snapshot(source)
            return [Observation(value, labels) for value, labels in reading(snapshot)]

        return observe

    created = [
        meter.create_observable_counter(name, [callback(read)], unit=unit, description=doc)
        for name, unit, doc, read in _COUNTERS
    ]
    created += [
        meter.create_observable_gauge(name, [callback(read)], unit=unit, description=doc)
        for name, unit, doc, read in _GAUGES
    ]
    return Instruments(meter=meter, instruments=tuple(created))
