"""Prometheus collector and OpenTelemetry hook, with the real client libraries."""

from __future__ import annotations

import subprocess
import sys

import attrs
import pytest

from esm_validate import Metrics, build_validator
from tests.layer_fakes import FakeAI, ai_assessment


def busy_metrics() -> Metrics:
    """Metrics with a bit of everything recorded."""
    m = Metrics()
    m.record_validation(
        ai_assessment(80, provider="openai"), duration_s=0.2, training_day=1, cache_used=True
    )
    m.record_validation(
        attrs.evolve(ai_assessment(80), cached=True), duration_s=0.0, cache_used=True
    )
    local = attrs.evolve(
        ai_assessment(40),
        source="local",
        provider="local",
        fallback_reason="ai_timeout",
        phenomena=frozenset({"feeling"}),
    )
    m.record_validation(
        local, duration_s=0.4, training_day=2, cache_used=True, ai_provider="openai"
    )
    m.record_redis_error()
    return m


@pytest.mark.process
def test_library_import_pulls_in_no_exporter() -> None:
    """Importing esm_validate (and the contrib modules) imports neither client library."""
    code = (
        "import sys, esm_validate, esm_validate.contrib.prometheus, esm_validate.contrib.otel;"
        "print(sorted(m for m in ('prometheus_client', 'opentelemetry', 'redis', 'httpx')"
        " if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert out.stdout.strip() == "[]"


class TestPrometheus:
    def test_exposition_in_an_application_registry(self) -> None:
        """Registered in the application's own registry, a scrape shows the snapshot's numbers."""
        from prometheus_client import CollectorRegistry, generate_latest

        from esm_validate.contrib.prometheus import EsmValidateCollector

        registry = CollectorRegistry()
        registry.register(EsmValidateCollector(busy_metrics()))
        text = generate_latest(registry).decode()

        expected = [
            "esm_validate_validations_total 3.0",
            "esm_validate_cache_hits_total 1.0",
            "esm_validate_cache_misses_total 2.0",
            'esm_validate_phenomena_total{phenomenon="feeling"} 1.0',
            'esm_validate_phenomena_total{phenomenon="inner_speech"} 2.0',
            'esm_validate_ai_requests_total{outcome="failure",provider="openai"} 1.0',
            'esm_validate_ai_requests_total{outcome="success",provider="openai"} 1.0',
            'esm_validate_fallbacks_total{reason="ai_timeout"} 1.0',
            'esm_validate_response_quality_by_day{training_day="2"} 40.0',
            "esm_validate_redis_errors_total 1.0",
            "esm_validate_validation_seconds_avg 0.2",
        ]
        for line in expected:
            assert line in text
        assert "esm_validate_training" not in text

    def test_reads_a_composed_validator_and_is_live(self) -> None:
        """Given the validator, it adds cache_entries, and each scrape sees new calls."""
        from prometheus_client import CollectorRegistry

        from esm_validate.contrib.prometheus import EsmValidateCollector

        v = build_validator(FakeAI())
        registry = CollectorRegistry()
        registry.register(EsmValidateCollector(v, namespace="study"))
        v.validate("a")
        v.validate("a")

        assert registry.get_sample_value("study_cache_entries") == 1.0
        assert registry.get_sample_value("study_cache_hit_ratio") == 0.5
        v.validate("b")
        assert registry.get_sample_value("study_validations_total") == 3.0

    def test_two_collectors_do_not_collide(self) -> None:
        """No global registry: two validators export into two registries side by side."""
        from prometheus_client import CollectorRegistry

        from esm_validate.contrib.prometheus import EsmValidateCollector

        registries = [CollectorRegistry(), CollectorRegistry()]
        for registry in registries:
            registry.register(EsmValidateCollector(Metrics()))

        assert [r.get_sample_value("esm_validate_validations_total") for r in registries] == [
            0.0,
            0.0,
        ]


class TestOpenTelemetry:
    def _collect(self, source) -> dict[str, list]:
        from opentelemetry.sdk.metrics import MeterProvider
        from opentelemetry.sdk.metrics.export import InMemoryMetricReader

        from esm_validate.contrib.otel import instrument

        reader = InMemoryMetricReader()
        provider = MeterProvider(metric_readers=[reader])
        instrument(source, meter=provider.get_meter("test"))
        data = reader.get_metrics_data()
        provider.shutdown()
        points: dict[str, list] = {}
        for resource in data.resource_metrics:
            for scope in resource.scope_metrics:
                for metric in scope.metrics:
                    points[metric.name] = [
                        (dict(p.attributes or {}), p.value) for p in metric.data.data_points
                    ]
        return points

    def test_observable_instruments_report_the_snapshot(self) -> None:
        """With the real SDK and an in-memory reader, every figure is observed with its labels."""
        points = self._collect(busy_metrics())

        assert points["esm_validate.validations"] == [({}, 3)]
        assert points["esm_validate.cache.hits"] == [({}, 1)]
        assert ({"reason": "ai_timeout"}, 1) in points["esm_validate.fallbacks"]
        assert ({"provider": "openai", "outcome": "failure"}, 1) in points[
            "esm_validate.ai.requests"
        ]
        assert points["esm_validate.validation.duration.avg"] == [({}, pytest.approx(0.2))]
        assert not any(name.startswith("esm_validate.training") for name in points)

    def test_accepts_a_composed_validator(self) -> None:
        """instrument() takes the validator from from_env()/build_validator() too."""
        v = build_validator(FakeAI())
        v.validate("x")

        assert self._collect(v)["esm_validate.validations"] == [({}, 1)]

    def test_no_sdk_means_no_op(self) -> None:
        """With only the API (the global no-op provider) instrument() is safe."""
        from esm_validate.contrib.otel import instrument

        created = instrument(Metrics())

        assert len(created.instruments) == 13
