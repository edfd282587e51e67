"""Redis cache store and limiter against the real redis-server: shared state, TTLs, outages."""

from __future__ import annotations

import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import attrs
import pytest

from esm_validate import (
    Assessment,
    CachingValidator,
    ConfigurationError,
    Issue,
    Metrics,
    Severity,
    from_env,
)
from esm_validate._layers._base import find_layer
from esm_validate._layers.redis_store import (
    RedisCacheStore,
    RedisGuard,
    RedisSlidingWindowLimiter,
    assessment_from_json,
    assessment_to_json,
    redis_client_from_url,
)
from tests._services import free_port
from tests.layer_fakes import FakeAI, run_in_threads
from tests.llm_servers import LLMServer

pytestmark = pytest.mark.integration

RICH = Assessment(
    score=73,
    quality="good",
    phenomena=frozenset({"inner_speech", "feeling"}),
    issues=(
        Issue("hedging", "Drop 'probably'.", Severity.INFO, (3, 11)),
        Issue("empty", "x"),
        Issue("behavior_only", "Only behaviour.", Severity.INFO, evidence_only=True),
    ),
    feedback="Хорошо: точные слова.",
    lang="ru",
    source="ai",
    strengths=("names the words",),
    provider="openai",
    model="gpt-x",
    version="1",
)


@pytest.fixture(name="prefix")
def _prefix(redis_url: str) -> Iterator[str]:
    prefix = f"esmtest:{uuid.uuid4().hex[:10]}:"
    yield prefix
    client = redis_client_from_url(redis_url, socket_timeout=2)
    keys = list(client.scan_iter(match=prefix + "*"))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture(name="connect")
def _connect(redis_url: str) -> Iterator[Any]:
    """Make new clients (one per simulated process); all are closed after the test."""
    clients: list[Any] = []

    def connect() -> Any:
        client = redis_client_from_url(redis_url, socket_timeout=2)
        clients.append(client)
        return client

    yield connect
    for client in clients:
        client.close()


def dead_client() -> Any:
    """A client for a port where nothing listens: Redis 'went away'."""
    return redis_client_from_url(f"redis://127.0.0.1:{free_port()}/0", socket_timeout=0.2)


class TestSerialisation:
    def test_round_trip(self) -> None:
        """Every field survives JSON, and a stored answer never says cached=True."""
        blob = assessment_to_json(attrs.evolve(RICH, cached=True))

        assert assessment_from_json(blob) == RICH

    @pytest.mark.parametrize("blob", ["not json", "[]", '{"score": 5}', '{"issues": [1]}'])
    def test_garbage_is_a_value_error(self, blob) -> None:
        """A corrupt entry is a ValueError, never something else."""
        with pytest.raises(ValueError):
            assessment_from_json(blob)


class TestRedisCacheStore:
    def test_round_trip_and_ttl(self, connect, prefix) -> None:
        """An entry comes back equal, with a Redis TTL no longer than the configured one."""
        client = connect()
        store = RedisCacheStore(client, prefix=prefix, ttl=3600, maxsize=10)

        store.set("k1", RICH)
        ttl_ms = client.pttl(prefix + "k1")

        assert store.get("k1") == RICH
        assert store.get("missing") is None
        assert 3_500_000 < ttl_ms <= 3_600_000
        assert len(store) == 1

    def test_least_recently_used_go_beyond_maxsize(self, connect, prefix) -> None:
        """With maxsize 2: store a, b; read a; store c -> b (least recently used) is deleted."""
        client = connect()
        store = RedisCacheStore(client, prefix=prefix, maxsize=2)
        store.set("a", RICH)
        store.set("b", RICH)
        assert store.get("a") == RICH
        store.set("c", RICH)

        assert [store.get(k) is not None for k in ("a", "b", "c")] == [True, False, True]
        assert client.exists(prefix + "b") == 0
        assert len(store) == 2

    def test_bookkeeping_keys_expire_too(self, connect, prefix) -> None:
        """Every key the store writes carries a TTL, so an idle deployment leaves nothing behind."""
        client = connect()
        store = RedisCacheStore(client, prefix=prefix, ttl=120)
        store.set("a", RICH)
        store.get("a")

        keys = list(client.scan_iter(match=prefix + "*"))
        ttls = [client.pttl(key) for key in keys]

        assert len(keys) == 4
        assert all(0 < ttl <= 120_000 for ttl in ttls)

    def test_clear_and_corrupt_entries(self, connect, prefix) -> None:
        """clear() drops everything; an unreadable entry is a counted miss."""
        client = connect()
        store = RedisCacheStore(client, prefix=prefix)
        store.set("a", RICH)
        client.set(prefix + "bad", b"\xff not json")

        assert store.get("bad") is None
        assert store.corrupt == 1
        store.clear()
        assert (store.get("a"), len(store)) == (None, 0)

    def test_two_processes_share_answers(self, connect, prefix) -> None:
        """A report answered in one process is a cache hit in another: no second AI call."""
        ai_1, ai_2 = FakeAI(), FakeAI()
        process_1 = CachingValidator(ai_1, store=RedisCacheStore(connect(), prefix=prefix))
        process_2 = CachingValidator(ai_2, store=RedisCacheStore(connect(), prefix=prefix))

        first = process_1.validate("Я слышала свой голос.", training_day=2, lang="ru")
        second = process_2.validate("Я  слышала свой голос. ", training_day=2, lang="ru")

        assert (first.cached, second.cached) == (False, True)
        assert second == attrs.evolve(first, cached=True)
        assert (len(ai_1.calls), len(ai_2.calls)) == (1, 0)


class TestRedisLimiter:
    def test_two_clients_share_one_limit(self, connect, prefix, fake_clock) -> None:
        """Two processes alternating on one user get exactly `limit` admissions together."""
        a = RedisSlidingWindowLimiter(connect(), 5, 60.0, prefix=prefix, clock=fake_clock)
        b = RedisSlidingWindowLimiter(connect(), 5, 60.0, prefix=prefix, clock=fake_clock)

        decisions = [(a if i % 2 else b).acquire("u") for i in range(8)]

        assert [d.allowed for d in decisions] == [True] * 5 + [False] * 3
        assert [d.remaining for d in decisions[:5]] == [4, 3, 2, 1, 0]
        assert decisions[-1].retry_after == pytest.approx(60.0)
        assert a.acquire("other").allowed

    def test_window_slides_on_the_injected_clock(self, connect, prefix, fake_clock) -> None:
        """Same semantics as the in-process limiter: a slot frees `window` s after its use."""
        limiter = RedisSlidingWindowLimiter(connect(), 2, 60.0, prefix=prefix, clock=fake_clock)
        limiter.acquire("u")
        fake_clock.advance(30)
        limiter.acquire("u")
        fake_clock.advance(29.5)

        refused = limiter.acquire("u")
        fake_clock.advance(0.5)
        allowed = limiter.acquire("u")

        assert (refused.allowed, refused.retry_after) == (False, pytest.approx(0.5))
        assert allowed.allowed

    def test_atomic_under_threads_and_clients(self, connect, prefix) -> None:
        """16 threads over 4 clients, on the server's clock: exactly `limit` admissions."""
        limiters = [RedisSlidingWindowLimiter(connect(), 7, 60.0, prefix=prefix) for _ in range(4)]
        allowed: list[bool] = []
        lock = threading.Lock()
        turn = iter(range(16))

        def hammer() -> None:
            with lock:
                limiter = limiters[next(turn) % 4]
            for _ in range(10):
                ok = limiter.acquire("hot").allowed
                with lock:
                    allowed.append(ok)

        run_in_threads(hammer, 16)

        assert (sum(allowed), len(allowed)) == (7, 160)

    def test_keys_expire_so_memory_is_bounded(self, connect, prefix) -> None:
        """Each user's key carries a TTL of one window; the server's clock gives retry_after."""
        client = connect()
        limiter = RedisSlidingWindowLimiter(client, 1, 60.0, prefix=prefix)
        limiter.acquire("u")

        refused = limiter.acquire("u")

        assert 0 < client.pttl(prefix + "u") <= 60_000
        assert not refused.allowed
        assert 55.0 < refused.retry_after <= 60.0


CHILD = """
import sys
from esm_validate._layers.redis_store import RedisSlidingWindowLimiter, redis_client_from_url
url, prefix = sys.argv[1], sys.argv[2]
limiter = RedisSlidingWindowLimiter(redis_client_from_url(url, socket_timeout=2), 9, 60.0,
                                    prefix=prefix)
print(sum(limiter.acquire("shared-user").allowed for _ in range(25)))
"""


@pytest.mark.process
def test_separate_os_processes_share_one_limit(redis_url, prefix) -> None:
    """Three real OS processes, 25 tries each on one user: exactly 9 admitted in total."""
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, redis_url, prefix], stdout=subprocess.PIPE, text=True
        )
        for _ in range(3)
    ]
    admitted = [int(child.communicate(timeout=60)[0]) for child in children]

    assert sum(admitted) == 9
    assert all(child.returncode == 0 for child in children)


class TestRedisGoesAway:
    def test_cache_misses_and_limiter_goes_local(self, fake_clock) -> None:
        """With Redis unreachable nothing raises: the cache misses, the limiter is per-process,
        failures are counted and Redis is skipped during the cooldown."""
        metrics = Metrics()
        guard = RedisGuard(clock=fake_clock, cooldown=5.0, on_error=metrics.record_redis_error)
        client = dead_client()
        store = RedisCacheStore(client, guard=guard)
        limiter = RedisSlidingWindowLimiter(client, 2, 60.0, guard=guard, clock=fake_clock)

        store.set("k", RICH)
        results = (store.get("k"), len(store))
        decisions = [limiter.acquire("u").allowed for _ in range(3)]
        client.close()

        assert results == (None, 0)
        assert decisions == [True, True, False]
        assert guard.errors == 1  # the first failure opened the cooldown
        assert guard.skipped == 5
        assert metrics.snapshot()["redis_errors"] == 1

    def test_redis_is_tried_again_after_the_cooldown(self, fake_clock) -> None:
        """After `cooldown` seconds the next call tries Redis again (and counts a new failure)."""
        guard = RedisGuard(clock=fake_clock, cooldown=5.0)
        store = RedisCacheStore(dead_client(), guard=guard)
        store.get("a")
        store.get("b")
        fake_clock.advance(5.0)
        store.get("c")

        assert (guard.errors, guard.skipped) == (2, 1)


class TestFromEnvWithRedis:
    def test_two_processes_share_cache_and_limit(self, redis_url, prefix) -> None:
        """Two from_env() validators on one Redis share the cache and the per-user limit."""
        with LLMServer("openai") as server:
            env = {
                "OPENAI_API_KEY": "sk-test-key-123",
                "OPENAI_BASE_URL": server.base_url,
                "REDIS_URL": redis_url,
                "ESM_REDIS_PREFIX": prefix,
                "ESM_RATE_LIMIT": "2",
            }
            with from_env(env) as one, from_env(env) as two:
                assert isinstance(find_layer(one, CachingValidator).store, RedisCacheStore)
                a = one.validate("I saw the kettle.", user_id="u")
                b = two.validate("I saw the kettle.", user_id="u")
                c = two.validate("I felt cold hands.", user_id="u")
                d = one.validate("I heard a car outside.", user_id="u")
                stats = one.stats()

        assert (a.source, a.cached) == ("ai", False)
        assert b.cached
        assert c.source == "ai"
        assert d.fallback_reason == "rate_limited"
        assert d.retry_after is not None
        assert 0 < d.retry_after <= 60
        assert server.request_count() == 2
        assert stats["cache_size"] == 2
        assert stats["redis_errors"] == 0

    def test_dead_redis_still_validates_and_counts(self) -> None:
        """REDIS_URL pointing at a closed port: AI answers still arrive; the outage is counted."""
        with LLMServer("openai") as server:
            env = {
                "OPENAI_API_KEY": "sk-test-key-123",
                "OPENAI_BASE_URL": server.base_url,
                "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0",
            }
            with from_env(env) as v:
                answer = v.validate("I saw the kettle.", user_id="u")
                stats = v.stats()

        assert answer.source == "ai"
        assert stats["redis_errors"] >= 1

    def test_bad_redis_url_is_a_configuration_error_without_the_url(self) -> None:
        """A malformed REDIS_URL fails at construction and never echoes the password."""
        with LLMServer("openai") as server:
            env = {
                "OPENAI_API_KEY": "sk-test-key-123",
                "OPENAI_BASE_URL": server.base_url,
                "REDIS_URL": "http://user:hunter2@host/0",
            }
            with pytest.raises(ConfigurationError, match="REDIS_URL") as caught:
                from_env(env)

        assert "hunter2" not in str(caught.value)
