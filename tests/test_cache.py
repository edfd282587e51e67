"""CachingValidator: keys, TTL, LRU, what is cached, counters and thread safety."""

from __future__ import annotations

import hashlib
import json

import attrs
import pytest

from esm_validate import (
    BackendError,
    CachingValidator,
    FallbackValidator,
    MemoryCacheStore,
    RateLimitedValidator,
    SlidingWindowLimiter,
)
from esm_validate._layers.cache import CACHE_KEY_VERSION, cache_key, is_cacheable, normalise_text
from tests.layer_fakes import FakeAI, ai_assessment, run_in_threads

IDENTITY = ("fake", "fake-1", "prompt-1", "schema-1")


class TestKeys:
    def test_normalisation_nfc_and_whitespace(self) -> None:
        """Composed/decomposed letters and runs of whitespace give the same key."""
        composed = "Я  слышала\tсвой голос: «где ключи?» é"
        decomposed = "  Я слышала\n свой голос: «где ключи?» e\u0301 "

        assert normalise_text(composed) == normalise_text(decomposed)
        assert cache_key(composed, lang="ru", training_day=1, identity=IDENTITY) == cache_key(
            decomposed, lang="ru", training_day=1, identity=IDENTITY
        )

    def test_key_is_md5_of_versioned_payload(self) -> None:
        """The key is the MD5 hex digest of the canonical JSON payload, version included."""
        payload = [CACHE_KEY_VERSION, "hello there", "en", 2, list(IDENTITY)]
        blob = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
        expected = hashlib.md5(blob.encode(), usedforsecurity=False).hexdigest()

        actual = cache_key(" hello   there ", lang="en", training_day=2, identity=IDENTITY)

        assert actual == expected

    @pytest.mark.parametrize(
        "change",
        [
            {"text": "other words"},
            {"lang": "ru"},
            {"training_day": 3},
            {"training_day": None},
            {"identity": ("fake", "fake-2", "prompt-1", "schema-1")},
            {"identity": ("fake", "fake-1", "prompt-2", "schema-1")},
            {"identity": ("fake", "fake-1", "prompt-1", "schema-2")},
            {"identity": ("other", "fake-1", "prompt-1", "schema-1")},
        ],
    )
    def test_everything_that_changes_the_answer_changes_the_key(self, change: dict) -> None:
        """Text, language, training day, provider, model, prompt and schema version are keyed."""
        base = {"text": "some words", "lang": "en", "training_day": 2, "identity": IDENTITY}
        changed = {**base, **change}

        assert cache_key(base.pop("text"), **base) != cache_key(changed.pop("text"), **changed)

    def test_identity_comes_from_the_inner_validator(self) -> None:
        """The cache uses the (forwarded) cache_identity of what it wraps."""
        ai = FakeAI()
        limited = RateLimitedValidator(ai, SlidingWindowLimiter())
        cache = CachingValidator(FallbackValidator(limited))

        assert cache.identity == IDENTITY


class TestWhatIsCached:
    def test_hit_returns_cached_copy_and_skips_inner(self, fake_clock) -> None:
        """The second identical report is answered from the cache, whoever sends it."""
        ai = FakeAI()
        cache = CachingValidator(ai, timer=fake_clock)

        first = cache.validate("I saw a red door.", user_id="1", training_day=1)
        second = cache.validate("I  saw a red door. ", user_id="2", training_day=1)

        assert (first.cached, second.cached) == (False, True)
        assert attrs.evolve(first, cached=True) == second
        assert len(ai.calls) == 1

    @pytest.mark.parametrize(
        "answer",
        [
            attrs.evolve(ai_assessment(), source="local", provider="local", model=None),
            attrs.evolve(ai_assessment(), source="local", fallback_reason="ai_timeout"),
            attrs.evolve(ai_assessment(), fallback_reason="ai_unavailable"),
        ],
    )
    def test_only_ai_answers_are_stored(self, fake_clock, answer) -> None:
        """Local and fallback answers are never stored, so an outage does not pin them."""
        ai = FakeAI([answer])
        cache = CachingValidator(ai, timer=fake_clock)

        cache.validate("text")
        cache.validate("text")

        assert not is_cacheable(answer)
        assert len(ai.calls) == 2
        assert (cache.hits, cache.misses, cache.stats()["cache_size"]) == (0, 2, 0)

    def test_errors_are_not_cached(self, fake_clock) -> None:
        """An exception propagates and the next call asks again."""
        ai = FakeAI([BackendError("down"), ai_assessment()])
        cache = CachingValidator(ai, timer=fake_clock)

        with pytest.raises(BackendError):
            cache.validate("text")

        assert cache.validate("text").source == "ai"
        assert len(ai.calls) == 2

    def test_hit_costs_no_rate_quota(self, fake_clock) -> None:
        """Repeats of a cached report pass even when the user's quota is used up."""
        ai = FakeAI()
        limiter = SlidingWindowLimiter(1, 60.0, clock=fake_clock)
        stack = CachingValidator(
            FallbackValidator(RateLimitedValidator(ai, limiter)), timer=fake_clock
        )

        answers = [stack.validate("same report", user_id="u") for _ in range(5)]
        other = stack.validate("a different report", user_id="u")

        assert [a.cached for a in answers] == [False, True, True, True, True]
        assert {None} == {a.fallback_reason for a in answers}
        assert other.fallback_reason == "rate_limited"
        assert len(ai.calls) == 1

    def test_rejects_non_text(self) -> None:
        """A non-string report is a clear TypeError, not a crash deep inside."""
        with pytest.raises(TypeError, match="must be a str"):
            CachingValidator(FakeAI()).validate(None)  # type: ignore[arg-type]


class TestExpiryAndEviction:
    def test_ttl_expiry_with_fake_clock(self, fake_clock) -> None:
        """An entry lives exactly ttl seconds; then the inner validator is asked again."""
        ai = FakeAI()
        cache = CachingValidator(ai, ttl=86_400, timer=fake_clock)
        cache.validate("text")

        fake_clock.advance(86_399.9)
        assert cache.validate("text").cached
        fake_clock.advance(0.2)
        assert not cache.validate("text").cached
        assert len(ai.calls) == 2

    def test_expired_entries_are_cleaned(self, fake_clock) -> None:
        """cache_size falls to 0 once every entry is past its TTL, without any access."""
        cache = CachingValidator(FakeAI(), ttl=10, timer=fake_clock)
        for i in range(5):
            cache.validate(f"text {i}")
        assert cache.stats()["cache_size"] == 5

        fake_clock.advance(11)

        assert cache.stats()["cache_size"] == 0

    def test_lru_beyond_maxsize(self, fake_clock) -> None:
        """With maxsize 2, the least recently used entry goes first."""
        ai = FakeAI()
        cache = CachingValidator(ai, maxsize=2, timer=fake_clock)
        cache.validate("a")
        cache.validate("b")
        cache.validate("a")  # a is now the most recently used
        cache.validate("c")  # evicts b

        assert cache.validate("a").cached
        assert not cache.validate("b").cached
        assert cache.stats()["cache_size"] == 2

    def test_default_limits(self) -> None:
        """Defaults follow the original MSE bot: one day, 1000 entries."""
        store = CachingValidator(FakeAI()).store

        assert isinstance(store, MemoryCacheStore)
        assert (store.ttl, store.maxsize) == (86_400.0, 1000)

    @pytest.mark.parametrize("kwargs", [{"ttl": 0}, {"maxsize": 0}, {"ttl": -5}])
    def test_bad_limits_are_refused(self, kwargs) -> None:
        """A store that could hold nothing is a configuration error."""
        with pytest.raises(ValueError):
            MemoryCacheStore(**kwargs)


class TestCounters:
    def test_hit_rate_arithmetic(self, fake_clock) -> None:
        """3 hits and 2 misses give 0.6; before any call the rate is 0.0."""
        cache = CachingValidator(FakeAI(), timer=fake_clock)
        assert cache.stats()["cache_hit_rate"] == 0.0

        for text in ["a", "a", "b", "b", "a"]:
            cache.validate(text)
        stats = cache.stats()

        assert (stats["cache_hits"], stats["cache_misses"], stats["cache_hit_rate"]) == (3, 2, 0.6)
        assert stats["fake_calls"] == 2  # the inner stats are merged in

    def test_many_threads(self) -> None:
        """Counters stay exact under 16 threads; every answer is right for its text."""
        ai = FakeAI([lambda text: attrs.evolve(ai_assessment(), feedback=text)])
        cache = CachingValidator(ai)
        texts = [f"report {i}" for i in range(10)]
        wrong: list[str] = []

        def work() -> None:
            for n in range(200):
                text = texts[n % len(texts)]
                if cache.validate(text).feedback != text:
                    wrong.append(text)

        run_in_threads(work, 16)
        stats = cache.stats()

        assert wrong == []
        assert stats["cache_hits"] + stats["cache_misses"] == 16 * 200
        assert len(ai.calls) == stats["cache_misses"]
        assert stats["cache_size"] == 10

    def test_close_reaches_inner(self) -> None:
        """close() closes the wrapped validator."""
        ai = FakeAI()
        CachingValidator(ai).close()

        assert ai.closed
