"""A Prometheus collector for :class:`~esm_validate.Metrics` (extra ``prometheus``).

The library registers nothing itself: the application decides where the numbers go::

    from prometheus_client import REGISTRY, start_http_server
    from esm_validate.contrib.prometheus import EsmValidateCollector

    validator = esm_validate.from_env()
    REGISTRY.register(EsmValidateCollector(validator))
    start_http_server(9100)

Every scrape reads one :meth:`~esm_validate.Metrics.snapshot`. ``prometheus_client`` is imported
only when the collector collects. Labels stay low-cardinality (provider, reason, phenomenon,
training day); never a user id.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from esm_validate.contrib._source import MetricsSource, read_snapshot

__all__ = ["EsmValidateCollector"]


class EsmValidateCollector:
    """A custom collector exposing one validator's metrics.

    Args:
        source: A :class:`~esm_validate.Metrics`, or the validator from
            :func:`esm_validate.from_env` (which adds ``cache_size``).
        namespace: The metric name prefix (default ``esm_validate``).
    """

    def __init__(self, source: MetricsSource, *, namespace: str = "esm_validate") -> None:
        self.source = source
        self.namespace = namespace

    def describe(self) -> list[Any]:
        """Return no descriptions, so registering does not run a collection."""
        return []

    def collect(self) -> Iterator[Any]:
        """Yield the metric families of one snapshot."""
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

        s = read_snapshot(self.source)
        ns = self.namespace

        def counter(name: str, doc: str, value: float) -> Any:
            return CounterMetricFamily(f"{ns}_{name}", doc, value=value)

        def gauge(name: str, doc: str, value: float) -> Any:
            return GaugeMetricFamily(f"{ns}_{name}", doc, value=value)

        yield counter("validations", "validate() calls, cached or not", s["validations"])
        yield counter("validation_errors", "validate() calls that raised", s["validation_errors"])
        yield gauge(
            "validation_success_ratio",
            "Share of calls that did not raise",
            s["validationSuccessRate"],
        )
        yield gauge(
            "validation_seconds_avg", "Average validation time", s["avg_validation_ms"] / 1000
        )
        yield gauge(
            "validation_seconds_p95",
            "95th percentile of recent validation times",
            s["p95_validation_ms"] / 1000,
        )
        yield counter("cache_hits", "Answers served from the cache", s["cache_hits"])
        yield counter("cache_misses", "Cache lookups that missed", s["cache_misses"])
        yield gauge(
            "cache_hit_ratio", "cache_hits / (cache_hits + cache_misses)", s["cache_hit_rate"]
        )
        if "cache_size" in s:
            yield gauge("cache_entries", "Answers held in the cache", s["cache_size"])
        yield gauge(
            "response_quality_avg", "Average report score (0..100)", s["averageResponseQuality"]
        )
        by_day = GaugeMetricFamily(
            f"{ns}_response_quality_by_day",
            "Average report score by training day",
            labels=["training_day"],
        )
        for day, value in s["quality_by_training_day"].items():
            by_day.add_metric([day], value)
        yield by_day
        phenomena = CounterMetricFamily(
            f"{ns}_phenomena", "Phenomena found in reports", labels=["phenomenon"]
        )
        for code, count in sorted(s["phenomena"].items()):
            phenomena.add_metric([code], count)
        yield phenomena
        ai = CounterMetricFamily(
            f"{ns}_ai_requests",
            "AI validations by provider and outcome",
            labels=["provider", "outcome"],
        )
        for provider, outcomes in s["ai_calls"].items():
            for outcome, count in sorted(outcomes.items()):
                ai.add_metric([provider, outcome], count)
        yield ai
        fallbacks = CounterMetricFamily(
            f"{ns}_fallbacks", "Local answers given instead of AI, by reason", labels=["reason"]
        )
        for reason, count in sorted(s["fallbacks_by_reason"].items()):
            fallbacks.add_metric([reason], count)
        yield fallbacks
        yield counter(
            "redis_errors", "Redis calls that failed (validation went on)", s["redis_errors"]
        )
