"""esm_validate.from_env() and build_validator(): settings, the default stack, stats, lifecycle."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

import esm_validate
from esm_validate import (
    CachingValidator,
    ConfigurationError,
    FallbackValidator,
    MeteredValidator,
    Metrics,
    RateLimitedValidator,
    SlidingWindowLimiter,
    build_validator,
    from_env,
)
from esm_validate._layers._base import find_layer
from esm_validate._pipeline import LayerSettings
from tests.layer_fakes import FakeAI, ai_assessment, run_in_threads
from tests.llm_servers import LLMServer

REQUIRED_STATS = {
    "provider",
    "cache_size",
    "cache_hits",
    "cache_misses",
    "cache_hit_rate",
    "validations",
    "validation_errors",
    "fallbacks",
    "avg_validation_ms",
    "phenomena",
    "validationSuccessRate",
    "averageResponseQuality",
}
KEY = "sk-test-DO-NOT-LEAK-1234567890"


@pytest.fixture(name="server")
def _server() -> Iterator[LLMServer]:
    with LLMServer("openai") as server:
        yield server


def openai_env(server: LLMServer, **extra: str) -> dict[str, str]:
    """Environment for an OpenAI backend pointed at the local server."""
    return {"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": server.base_url, **extra}


class TestLocalOnly:
    def test_no_ai_configured_gives_local_validator_with_stats(self) -> None:
        """With no AI variables the validator is local-only but still counts and reports."""
        with from_env({}) as v:
            answer = v.validate("I was innerly saying 'hurry up'.", user_id="1", training_day=1)
            stats = v.stats()

        assert answer.source == "local"
        assert answer == esm_validate.validate("I was innerly saying 'hurry up'.", training_day=1)
        assert set(stats) >= REQUIRED_STATS
        assert stats["provider"] == "local"
        assert (stats["cache_size"], stats["cache_hits"], stats["cache_misses"]) == (0, 0, 0)
        assert (stats["validations"], stats["validation_errors"], stats["fallbacks"]) == (1, 0, 0)
        assert stats["validationSuccessRate"] == 1.0
        assert stats["averageResponseQuality"] == answer.score

    def test_reads_os_environ_by_default(self, monkeypatch) -> None:
        """environ=None means os.environ."""
        for name in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "ESM_AI_BASE_URL", "ESM_AI_PROVIDER"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("ESM_RATE_LIMIT", "not-a-number")

        with pytest.raises(ConfigurationError, match="ESM_RATE_LIMIT"):
            from_env()

    def test_bad_input_counts_as_error_with_clear_message(self) -> None:
        """A non-string report raises TypeError and counts as a validation error."""
        v = from_env({})

        with pytest.raises(TypeError, match="must be a str"):
            v.validate(12345)  # type: ignore[arg-type]
        stats = v.stats()

        assert (stats["validations"], stats["validation_errors"]) == (1, 1)
        assert stats["validationSuccessRate"] == 0.0

    def test_many_threads(self) -> None:
        """Shared between 8 threads, every call is counted exactly once."""
        v = from_env({})

        def work() -> None:
            for i in range(100):
                v.validate(f"At the beep I saw a red cup number {i}.", user_id=str(i))

        run_in_threads(work, 8)

        assert v.stats()["validations"] == 800


class TestSettings:
    @pytest.mark.parametrize(
        ("name", "value"),
        [
            ("ESM_CACHE_TTL", "a day"),
            ("ESM_CACHE_TTL", "-1"),
            ("ESM_CACHE_TTL", "nan"),
            ("ESM_CACHE_SIZE", "10.5"),
            ("ESM_CACHE_SIZE", "-3"),
            ("ESM_RATE_LIMIT", "ten"),
        ],
    )
    def test_bad_values_name_the_variable(self, name, value) -> None:
        """A bad value is a ConfigurationError naming the variable and the value."""
        with pytest.raises(ConfigurationError, match=name) as caught:
            from_env({name: value})

        assert repr(value) in str(caught.value)

    def test_defaults_and_overrides(self) -> None:
        """Defaults are one day, 1000 entries, 10 per minute; blank values mean default."""
        assert LayerSettings.from_environ({"ESM_CACHE_TTL": " "}) == LayerSettings(
            86_400.0, 1000, 10
        )
        parsed = LayerSettings.from_environ(
            {"ESM_CACHE_TTL": "60", "ESM_CACHE_SIZE": "5", "ESM_RATE_LIMIT": "3"}
        )
        assert (parsed.cache_ttl, parsed.cache_size, parsed.rate_limit) == (60.0, 5, 3)

    @given(
        name=st.sampled_from(["ESM_CACHE_TTL", "ESM_CACHE_SIZE", "ESM_RATE_LIMIT"]),
        value=st.text(max_size=12),
    )
    def test_any_value_parses_or_is_a_configuration_error(self, name, value) -> None:
        """Fuzzed values give settings with numbers >= 0, or ConfigurationError; nothing else."""
        try:
            settings: LayerSettings | None = LayerSettings.from_environ({name: value})
            message = ""
        except ConfigurationError as exc:
            settings, message = None, str(exc)

        if settings is None:
            assert name in message
        else:
            assert min(settings.cache_ttl, settings.cache_size, settings.rate_limit) >= 0

    def test_redis_url_is_not_shown(self) -> None:
        """The Redis URL may hold a password: it never appears in the settings' repr."""
        settings = LayerSettings.from_environ({"REDIS_URL": "redis://:hunter2@db:6379/0"})

        assert settings.redis_url == "redis://:hunter2@db:6379/0"
        assert "hunter2" not in repr(settings)


class TestAIStack:
    def test_default_stack_order_and_settings(self, server) -> None:
        """Metered(Cache(Fallback(RateLimited(AI)))) with the environment's settings."""
        env = openai_env(server, ESM_CACHE_TTL="120", ESM_CACHE_SIZE="7", ESM_RATE_LIMIT="4")

        with from_env(env) as v:
            cache = v.inner
            fallback = cache.inner
            limited = fallback.primary

            assert isinstance(cache, CachingValidator)
            assert isinstance(fallback, FallbackValidator)
            assert isinstance(limited, RateLimitedValidator)
            assert type(limited.inner).__name__ == "AIValidator"
            assert (cache.store.ttl, cache.store.maxsize) == (120.0, 7)
            assert (limited.limiter.limit, limited.limiter.window) == (4, 60.0)
            assert (v.provider, v.model) == ("openai", limited.inner.model)

    def test_ai_answer_is_cached_and_counted(self, server) -> None:
        """An AI answer is served from the cache the second time, with no second request."""
        with from_env(openai_env(server)) as v:
            first = v.validate("I heard myself say 'left'.", user_id="1", training_day=1)
            second = v.validate("I heard myself say 'left'.", user_id="2", training_day=1)
            stats = v.stats()

        assert (first.source, first.provider, first.cached) == ("ai", "openai", False)
        assert second.cached
        assert server.request_count() == 1
        assert (stats["cache_hits"], stats["cache_misses"], stats["cache_size"]) == (1, 1, 1)
        assert stats["cache_hit_rate"] == 0.5
        assert stats["validations"] == 2
        assert stats["ai_calls"] == {"openai": {"success": 1, "failure": 0}}
        assert stats["phenomena"]["inner_speech"] == 2

    def test_stats_are_json_ready(self, server) -> None:
        """stats() of the full stack (AI counters merged in) serialises to JSON as is."""
        with from_env(openai_env(server)) as v:
            v.validate("I saw a red light.", user_id="1", training_day=1)
            stats = v.stats()

        decoded = json.loads(json.dumps(stats))

        assert decoded["provider"] == "openai"
        assert decoded["metrics"]["quality_by_training_day"] == {
            "1": stats["averageResponseQuality"]
        }
        assert decoded["ai_requests"] == 1  # the AI validator's own counters are merged in

    def test_zero_turns_layers_off(self, server) -> None:
        """ESM_CACHE_SIZE=0 drops the cache; ESM_RATE_LIMIT=0 drops the limiter."""
        with from_env(openai_env(server, ESM_CACHE_SIZE="0", ESM_RATE_LIMIT="0")) as v:
            assert find_layer(v, CachingValidator) is None
            assert find_layer(v, RateLimitedValidator) is None
            assert isinstance(v.inner, FallbackValidator)

    def test_no_secret_in_repr_stats_or_logs(self, server, caplog) -> None:
        """The API key appears in no repr, no stats and no log line, even on failure."""
        server.default = server.error(401, "Incorrect API key provided: " + KEY)
        with from_env(openai_env(server)) as v:
            answer = v.validate("I saw a blue car.", user_id="1")
            v.log_stats()
            text = repr(v) + repr(v.stats())

        assert answer.fallback_reason == "ai_auth"
        assert KEY not in text
        assert KEY not in caplog.text

    def test_fake_clock_drives_the_limiter(self, server, fake_clock) -> None:
        """from_env(clock=...) puts the limiter on the injected clock."""
        env = openai_env(server, ESM_RATE_LIMIT="1")
        with from_env(env, clock=fake_clock, sleep=fake_clock.sleep) as v:
            assert v.validate("one report", user_id="u").source == "ai"
            refused = v.validate("another report", user_id="u")
            fake_clock.advance(60)
            again = v.validate("a third report", user_id="u")

        assert (refused.fallback_reason, refused.retry_after) == ("rate_limited", 60.0)
        assert again.source == "ai"


class TestComposition:
    def test_three_line_custom_stack(self, fake_clock) -> None:
        """A researcher's own stack: limiter inside, fallback, cache, metered on top."""
        my_ai = FakeAI([ai_assessment(77, provider="mine")], provider="mine")

        limited = RateLimitedValidator(my_ai, SlidingWindowLimiter(2, 60.0, clock=fake_clock))
        stack = CachingValidator(FallbackValidator(limited), ttl=3600, timer=fake_clock)
        validator = MeteredValidator(stack)

        answers = [validator.validate(f"report {i % 3}", user_id="u") for i in range(6)]
        stats = validator.stats()

        assert [a.source for a in answers] == ["ai", "ai", "local", "ai", "ai", "local"]
        assert [a.cached for a in answers] == [False, False, False, True, True, False]
        assert stats["provider"] == "mine"
        assert (stats["cache_hits"], stats["cache_misses"]) == (2, 4)
        assert stats["fallbacks_by_reason"] == {"rate_limited": 2}
        assert stats["ai_calls"] == {"mine": {"success": 2, "failure": 0}}

    def test_build_validator_shares_one_metrics(self) -> None:
        """build_validator() counts into the Metrics it is given."""
        metrics = Metrics()
        v = build_validator(FakeAI(), metrics=metrics)
        v.validate("x")

        assert metrics.snapshot()["validations"] == 1
        assert v.metrics is metrics

    def test_close_closes_the_stack(self) -> None:
        """close() (and the context manager) closes the AI."""
        ai = FakeAI()
        with build_validator(ai) as v:
            assert not ai.closed

        assert ai.closed
        v.close()  # idempotent
