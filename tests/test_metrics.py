"""Metrics: counters, rates, p95, the log line and thread safety."""

from __future__ import annotations

import json
import logging

import attrs
import pytest

from esm_validate import Metrics
from tests.layer_fakes import ai_assessment, run_in_threads


def local(score: int, *phenomena: str, reason: str | None = None):
    """A local assessment with the given score, phenomena and fallback reason."""
    return attrs.evolve(
        ai_assessment(score),
        source="local",
        provider="local",
        model=None,
        phenomena=frozenset(phenomena),
        fallback_reason=reason,
    )


def test_counts_quality_phenomena_sources_and_fallbacks() -> None:
    """One snapshot shows quality by day, phenomena, sources, AI calls and fallbacks."""
    m = Metrics()
    m.record_validation(ai_assessment(80, provider="openai"), duration_s=0.1, training_day=1)
    m.record_validation(
        local(40, "feeling", reason="ai_timeout"),
        duration_s=0.1,
        training_day=1,
        ai_provider="openai",
    )
    m.record_validation(
        local(60, "feeling", "inner_seeing", reason="rate_limited"),
        duration_s=0.1,
        training_day=2,
        ai_provider="openai",
    )
    m.record_validation(attrs.evolve(ai_assessment(90), cached=True), duration_s=0.1)

    s = m.snapshot()

    assert s["validations"] == 4
    assert s["averageResponseQuality"] == pytest.approx((80 + 40 + 60 + 90) / 4)
    assert s["quality_by_training_day"] == {"1": 60.0, "2": 60.0}
    assert s["phenomena"] == {"inner_speech": 2, "feeling": 2, "inner_seeing": 1}
    assert s["by_source"] == {"ai": 1, "local": 2, "cache": 1}
    assert s["ai_calls"] == {"openai": {"success": 1, "failure": 1}}
    assert s["fallbacks"] == 2
    assert s["fallbacks_by_reason"] == {"ai_timeout": 1, "rate_limited": 1}
    assert s["fallback_rate"] == 0.5


def test_errors_and_success_rate() -> None:
    """validationSuccessRate = (validations - errors) / validations; 0.0 before any call."""
    m = Metrics()
    assert m.snapshot()["validationSuccessRate"] == 0.0

    for _ in range(19):
        m.record_validation(local(50), duration_s=0.01)
    m.record_error(duration_s=0.01)
    s = m.snapshot()

    assert (s["validations"], s["validation_errors"]) == (20, 1)
    assert s["validationSuccessRate"] == pytest.approx(0.95)


def test_average_and_p95_times() -> None:
    """Times of 1..100 ms give an average of 50.5 ms and a nearest-rank p95 of 95 ms."""
    m = Metrics()
    for ms in range(100, 0, -1):
        m.record_validation(local(50), duration_s=ms / 1000)
    s = m.snapshot()

    assert s["avg_validation_ms"] == pytest.approx(50.5)
    assert s["p95_validation_ms"] == pytest.approx(95.0)


def test_reservoir_is_bounded_to_recent_calls() -> None:
    """The p95 uses only the last `reservoir_size` times; the average uses all."""
    m = Metrics(reservoir_size=10)
    for _ in range(1000):
        m.record_validation(local(50), duration_s=1.0)
    for _ in range(10):
        m.record_validation(local(50), duration_s=0.001)
    s = m.snapshot()

    assert s["p95_validation_ms"] == pytest.approx(1.0)
    assert s["avg_validation_ms"] == pytest.approx(1000 * (1000 + 0.01) / 1010)
    with pytest.raises(ValueError):
        Metrics(reservoir_size=0)


def test_cache_hit_rate_arithmetic() -> None:
    """Only calls that went through a cache count; 3 hits of 4 lookups give 0.75."""
    m = Metrics()
    hit = attrs.evolve(ai_assessment(), cached=True)
    for answer in (hit, hit, hit, ai_assessment()):
        m.record_validation(answer, duration_s=0.0, cache_used=True)
    m.record_validation(local(50), duration_s=0.0, cache_used=False)
    s = m.snapshot()

    assert (s["cache_hits"], s["cache_misses"], s["cache_hit_rate"]) == (3, 1, 0.75)


def test_snapshot_is_a_json_ready_copy() -> None:
    """The snapshot serialises to JSON and changing it does not change the metrics."""
    m = Metrics()
    m.record_validation(local(50, "feeling"), duration_s=0.0, training_day=3)
    m.record_redis_error()
    s = m.snapshot()
    s["phenomena"]["feeling"] = 99

    assert json.loads(json.dumps(m.snapshot()))["phenomena"] == {"feeling": 1}
    assert m.snapshot()["redis_errors"] == 1


def test_log_stats_writes_one_info_line(caplog) -> None:
    """log_stats() logs the key figures once at INFO."""
    m = Metrics()
    m.record_validation(local(70), duration_s=0.02)

    with caplog.at_level(logging.INFO, logger="esm_validate.metrics"):
        m.log_stats()

    assert [r.levelno for r in caplog.records] == [logging.INFO]
    assert "validations=1" in caplog.text
    assert "avg_quality=70.0" in caplog.text


def test_many_threads_count_exactly() -> None:
    """16 threads x 500 records give exact totals."""
    m = Metrics()

    def work() -> None:
        for i in range(500):
            m.record_validation(local(50, "feeling"), duration_s=0.001, training_day=i % 3)
            m.record_redis_error()

    run_in_threads(work, 16)
    s = m.snapshot()

    assert s["validations"] == 8000
    assert s["phenomena"] == {"feeling": 8000}
    assert s["redis_errors"] == 8000
