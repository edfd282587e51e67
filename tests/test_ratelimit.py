"""SlidingWindowLimiter and RateLimitedValidator: exact sliding window, memory bounds, threads."""

from __future__ import annotations

import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from esm_validate import Decision, RateLimitedValidator, RateLimitExceeded, SlidingWindowLimiter
from esm_validate._layers.ratelimit import ANONYMOUS
from tests.layer_fakes import FakeAI, run_in_threads


class TestSlidingWindow:
    def test_limit_then_refusal_with_retry_after(self, fake_clock) -> None:
        """Ten calls pass with remaining 9..0; the 11th is refused until the first leaves."""
        limiter = SlidingWindowLimiter(clock=fake_clock)
        decisions = []
        for _ in range(10):
            decisions.append(limiter.acquire("u"))
            fake_clock.advance(1.0)

        refused = limiter.acquire("u")

        assert [d.remaining for d in decisions] == list(range(9, -1, -1))
        assert all(d.allowed for d in decisions)
        assert refused == Decision(False, 0, pytest.approx(50.0))

    def test_window_slides_exactly(self, fake_clock) -> None:
        """A slot frees exactly `window` seconds after the request that used it."""
        limiter = SlidingWindowLimiter(limit=2, window=60.0, clock=fake_clock)
        limiter.acquire("u")
        fake_clock.advance(30)
        limiter.acquire("u")

        fake_clock.advance(29.999)
        assert not limiter.acquire("u").allowed
        fake_clock.advance(0.001)
        assert limiter.acquire("u").allowed
        assert limiter.acquire("u") == Decision(False, 0, pytest.approx(30.0))

    def test_no_burst_across_a_minute_boundary(self, fake_clock) -> None:
        """Unlike a fixed bucket, 10 calls at 0:59 block calls at 1:01."""
        limiter = SlidingWindowLimiter(clock=fake_clock)
        fake_clock.advance(59)
        for _ in range(10):
            assert limiter.acquire("u").allowed
        fake_clock.advance(2)

        decision = limiter.acquire("u")

        assert not decision.allowed
        assert decision.retry_after == pytest.approx(58.0)

    def test_refusals_are_not_counted(self, fake_clock) -> None:
        """Hammering after the limit does not push the next free slot further away."""
        limiter = SlidingWindowLimiter(limit=1, window=10.0, clock=fake_clock)
        limiter.acquire("u")
        for _ in range(5):
            fake_clock.advance(1)
            limiter.acquire("u")
        fake_clock.advance(5)

        assert limiter.acquire("u").allowed

    def test_users_are_independent(self, fake_clock) -> None:
        """One user's use does not touch another's allowance."""
        limiter = SlidingWindowLimiter(limit=1, clock=fake_clock)
        limiter.acquire("a")

        assert not limiter.acquire("a").allowed
        assert limiter.acquire("b").allowed

    def test_peek_does_not_count(self, fake_clock) -> None:
        """peek() reports without using quota."""
        limiter = SlidingWindowLimiter(limit=1, clock=fake_clock)
        for _ in range(3):
            assert limiter.peek("u") == Decision(True, 1)

        limiter.acquire("u")

        assert limiter.peek("u") == Decision(False, 0, pytest.approx(60.0))

    @pytest.mark.parametrize(
        "kwargs",
        [{"limit": 0}, {"limit": True}, {"window": 0}, {"max_tracked_users": 0}, {"limit": 2.5}],
    )
    def test_bad_settings_are_refused(self, kwargs) -> None:
        """Limits that make no sense fail at construction with the setting's name."""
        with pytest.raises(ValueError, match=next(iter(kwargs))):
            SlidingWindowLimiter(**kwargs)


class TestMemoryBounds:
    def test_idle_users_are_dropped(self, fake_clock) -> None:
        """A user whose requests all left the window costs no memory."""
        limiter = SlidingWindowLimiter(clock=fake_clock)
        for user in range(100):
            limiter.acquire(str(user))
        assert limiter.tracked_users == 100

        fake_clock.advance(60.0)

        assert limiter.tracked_users == 0

    def test_active_users_stay_tracked(self, fake_clock) -> None:
        """A user who keeps calling keeps their log (their TTL is refreshed by each call)."""
        limiter = SlidingWindowLimiter(limit=3, clock=fake_clock)
        for _ in range(3):
            limiter.acquire("busy")
            fake_clock.advance(20)
        fake_clock.advance(39)  # now 59 s after the last call, 99 s after the first

        assert limiter.tracked_users == 1
        assert limiter.acquire("busy").allowed  # the first two calls left the window

    def test_cap_on_tracked_users(self, fake_clock) -> None:
        """Never more than max_tracked_users keys, however many users call."""
        limiter = SlidingWindowLimiter(clock=fake_clock, max_tracked_users=50)
        for user in range(1000):
            limiter.acquire(str(user))

        assert limiter.tracked_users == 50


class TestThreads:
    def test_many_threads_one_user_exactly_limit(self) -> None:
        """32 threads hammering one user get exactly `limit` admissions in the window."""
        limiter = SlidingWindowLimiter(limit=10, window=3600.0)
        allowed: list[bool] = []
        lock = threading.Lock()
        barrier = threading.Barrier(32)

        def hammer() -> None:
            barrier.wait()
            for _ in range(50):
                ok = limiter.acquire("one").allowed
                with lock:
                    allowed.append(ok)

        run_in_threads(hammer, 32)

        assert sum(allowed) == 10
        assert len(allowed) == 32 * 50


class TestRateLimitedValidator:
    def test_refusal_raises_with_retry_after(self, fake_clock) -> None:
        """When refused, the inner validator is not called and the error says when to retry."""
        ai = FakeAI()
        limited = RateLimitedValidator(ai, SlidingWindowLimiter(limit=2, clock=fake_clock))
        limited.validate("a", user_id="42")
        fake_clock.advance(15)
        limited.validate("b", user_id="42")

        with pytest.raises(RateLimitExceeded) as caught:
            limited.validate("c", user_id="42")

        assert caught.value.retry_after == pytest.approx(45.0)
        assert caught.value.user_id == "42"
        assert [c["text"] for c in ai.calls] == ["a", "b"]
        assert limited.stats()["rate_limited"] == 1

    def test_calls_without_user_share_one_key(self, fake_clock) -> None:
        """Anonymous calls share the ANONYMOUS allowance."""
        limiter = SlidingWindowLimiter(limit=1, clock=fake_clock)
        limited = RateLimitedValidator(FakeAI(), limiter)
        limited.validate("a")

        with pytest.raises(RateLimitExceeded):
            limited.validate("b")
        assert not limiter.peek(ANONYMOUS).allowed
        assert limiter.peek("someone").allowed

    def test_arguments_pass_through_and_identity_forwards(self, fake_clock) -> None:
        """The layer passes every argument and forwards provider, model and cache identity."""
        ai = FakeAI(provider="openai", model="gpt-x")
        limited = RateLimitedValidator(ai, SlidingWindowLimiter(clock=fake_clock))

        limited.validate("text", user_id="7", training_day=2, lang="ru")
        stats = limited.stats()

        assert ai.calls == [{"text": "text", "user_id": "7", "training_day": 2, "lang": "ru"}]
        assert (limited.provider, limited.model) == ("openai", "gpt-x")
        assert limited.cache_identity == ai.cache_identity
        assert (stats["rate_limit"], stats["rate_window_s"], stats["fake_calls"]) == (10, 60.0, 1)
        assert stats["rate_tracked_users"] == 1


@pytest.mark.slow
class TestAgainstAModel:
    @settings(max_examples=200, deadline=None)
    @given(
        limit=st.integers(1, 5),
        window=st.sampled_from([1.0, 10.0, 60.0]),
        steps=st.lists(
            st.tuples(st.sampled_from(["a", "b", "c"]), st.floats(0, 30, allow_nan=False)),
            max_size=60,
        ),
    )
    def test_matches_a_brute_force_sliding_log(self, limit, window, steps) -> None:
        """Any sequence of calls gets the same decisions as a naive list-of-timestamps model."""
        from tests.conftest import FakeClock

        clock = FakeClock()
        limiter = SlidingWindowLimiter(limit, window, clock=clock)
        model: dict[str, list[float]] = {}
        for key, gap in steps:
            clock.advance(gap)
            now = clock()
            recent = [t for t in model.get(key, []) if t > now - window]
            expected = len(recent) < limit
            if expected:
                recent.append(now)
            model[key] = recent

            decision = limiter.acquire(key)

            assert decision.allowed == expected
            assert decision.remaining == (limit - len(recent) if expected else 0)
            if not expected:
                assert decision.retry_after == pytest.approx(recent[0] + window - now)
