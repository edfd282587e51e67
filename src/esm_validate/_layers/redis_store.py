"""Redis-backed cache store and rate limiter, for several processes (extra ``redis``).

Both keep the semantics of their in-process twins
(:class:`~esm_validate.MemoryCacheStore`,
:class:`~esm_validate.SlidingWindowLimiter`):

* :class:`RedisCacheStore`: entries expire after ``ttl`` (Redis ``PX``); at most ``maxsize`` are
  kept, the least recently used dropped beyond it (two bookkeeping sorted sets, Lua scripts).
* :class:`RedisSlidingWindowLimiter`: an exact sliding-window log in a sorted set per user,
  checked and updated atomically by one Lua script, so every process shares one limit. Keys carry
  a TTL of one window, so idle users cost no memory.

Redis is an optimisation, never a dependency of a report: when it cannot be reached, the cache
misses and the limiter falls back to a per-process limiter, the outage is counted (``on_error``,
wired to :meth:`esm_validate.Metrics.record_redis_error` by :func:`esm_validate.from_env`) and
nothing is raised. After a failure, Redis is skipped for ``cooldown`` seconds so a dead server
costs one short timeout, not one per call. ``redis`` is imported only when these classes are built.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any, Final, TypeVar

import attrs

from esm_validate._layers.ratelimit import SlidingWindowLimiter, _check_limits
from esm_validate._types import Assessment, Decision, Issue, Severity

__all__ = [
    "DEFAULT_SOCKET_TIMEOUT",
    "RedisCacheStore",
    "RedisGuard",
    "RedisSlidingWindowLimiter",
    "assessment_from_json",
    "assessment_to_json",
    "redis_client_from_url",
]

#: Seconds to wait for Redis to connect or answer before carrying on without it.
DEFAULT_SOCKET_TIMEOUT: Final = 0.5

_LOGGER = logging.getLogger("esm_validate.redis")
_T = TypeVar("_T")


def redis_client_from_url(url: str, *, socket_timeout: float = DEFAULT_SOCKET_TIMEOUT) -> Any:
    """Return a ``redis.Redis`` client for ``url`` with short connect and read timeouts.

    Raises:
        ConfigurationError: The ``redis`` package is missing or the URL is not a Redis URL.
    """
    from esm_validate._errors import ConfigurationError

    try:
        import redis
    except ImportError as exc:  # pragma: no cover - the test extra installs redis
        raise ConfigurationError(
            "REDIS_URL is set but the 'redis' package is missing: pip install 'esm-validate[redis]'"
        ) from exc
    try:
        return redis.Redis.from_url(
            url,
            socket_timeout=socket_timeout,
            socket_connect_timeout=socket_timeout,
            retry_on_timeout=False,
        )
    except ValueError as exc:
        # Never echo the URL: it may hold a password.
        raise ConfigurationError(
            "REDIS_URL is not a valid Redis URL (expected redis://, rediss:// or unix://)"
        ) from exc


class RedisGuard:
    """Runs Redis calls, turning failures into a default value, a count and a short cooldown.

    Args:
        clock: A monotonic clock for the cooldown.
        cooldown: Seconds to skip Redis after a failure (default 5).
        on_error: Called once per failed Redis call (e.g. ``metrics.record_redis_error``).
    """

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        cooldown: float = 5.0,
        on_error: Callable[[], None] | None = None,
    ) -> None:
        import redis

        self._errors: tuple[type[BaseException], ...] = (redis.RedisError, OSError)
        self._clock = clock
        self.cooldown = cooldown
        self._on_error = on_error
        self._lock = threading.Lock()
        self._down_until = float("-inf")
        self.errors = 0
        self.skipped = 0

    @property
    def available(self) -> bool:
        """False while Redis is being skipped after a failure."""
        return self._clock() >= self._down_until

    def call(self, operation: Callable[[], _T], default: _T, what: str) -> _T:
        """Return ``operation()``, or ``default`` if Redis fails or is cooling down."""
        if not self.available:
            with self._lock:
                self.skipped += 1
            return default
        try:
            return operation()
        except self._errors as exc:
            with self._lock:
                self.errors += 1
                self._down_until = self._clock() + self.cooldown
            _LOGGER.warning(
                "Redis %s failed (%s); carrying on without Redis for %.0f s",
                what,
                type(exc).__name__,
                self.cooldown,
            )
            if self._on_error is not None:
                self._on_error()
            return default


def assessment_to_json(assessment: Assessment) -> str:
    """Serialise an assessment for the shared cache (``cached`` is always stored as False)."""
    data = assessment.to_dict()
    data["cached"] = False
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _issue(data: dict[str, Any]) -> Issue:
    span = data.get("span")
    return Issue(
        code=str(data["code"]),
        message=str(data.get("message", "")),
        severity=Severity(data.get("severity", Severity.WARNING.value)),
        span=(int(span[0]), int(span[1])) if span else None,
        evidence_only=bool(data.get("evidence_only", False)),
    )


_CONVERT: Final[dict[str, Callable[[Any], Any]]] = {
    "phenomena": frozenset,
    "issues": lambda items: tuple(_issue(item) for item in items),
    "strengths": tuple,
}


def assessment_from_json(blob: str | bytes) -> Assessment:
    """Rebuild an assessment from :func:`assessment_to_json` output (unknown keys are ignored).

    Raises:
        ValueError: The blob is not a stored assessment.
    """
    try:
        data = json.loads(blob)
        kwargs = {
            field.name: _CONVERT.get(field.name, lambda value: value)(data[field.name])
            for field in attrs.fields(Assessment)
            if field.name in data
        }
        return Assessment(**kwargs)
    except (TypeError, KeyError, IndexError, AttributeError) as exc:
        raise ValueError(f"not a stored assessment: {type(exc).__name__}") from exc


# The cache keeps two sorted sets beside the entries: KEYS[2] maps entry -> expiry time (server
# clock, ms) and tells what is alive; KEYS[3] maps entry -> a use counter (KEYS[4], INCR) and tells
# what was least recently used. Every script first forgets entries that expired by themselves.
_FORGET_EXPIRED: Final = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)
for _, gone in ipairs(expired) do redis.call('ZREM', KEYS[3], gone) end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
"""

# KEYS: entry, expiries, uses, counter. ARGV: value, ttl_ms, maxsize. Returns the live count.
_STORE_SCRIPT: Final = (
    _FORGET_EXPIRED
    + """
local ttl = tonumber(ARGV[2])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ttl)
redis.call('ZADD', KEYS[2], now + ttl, KEYS[1])
redis.call('ZADD', KEYS[3], redis.call('INCR', KEYS[4]), KEYS[1])
local over = redis.call('ZCARD', KEYS[3]) - tonumber(ARGV[3])
if over > 0 then
  local victims = redis.call('ZRANGE', KEYS[3], 0, over - 1)
  for _, victim in ipairs(victims) do
    redis.call('DEL', victim)
    redis.call('ZREM', KEYS[2], victim)
  end
  redis.call('ZREMRANGEBYRANK', KEYS[3], 0, over - 1)
end
for i = 2, 4 do redis.call('PEXPIRE', KEYS[i], ttl) end
return redis.call('ZCARD', KEYS[2])
"""
)

# KEYS: entry, expiries, uses, counter. Returns the entry (or nil) and marks it recently used.
_FETCH_SCRIPT: Final = """
local value = redis.call('GET', KEYS[1])
if value then redis.call('ZADD', KEYS[3], 'XX', redis.call('INCR', KEYS[4]), KEYS[1]) end
return value
"""

# KEYS: (unused), expiries, uses. Returns the live count.
_SIZE_SCRIPT: Final = _FORGET_EXPIRED + "return redis.call('ZCARD', KEYS[2])"

# KEYS: (unused), expiries, uses, counter. Returns how many entries were dropped.
_CLEAR_SCRIPT: Final = """
local victims = redis.call('ZRANGE', KEYS[2], 0, -1)
for _, victim in ipairs(victims) do redis.call('DEL', victim) end
redis.call('DEL', KEYS[2], KEYS[3], KEYS[4])
return #victims
"""


class RedisCacheStore:
    """A :class:`~esm_validate.CacheStore` in Redis, shared by every process.

    Args:
        client: A ``redis.Redis`` client (see :func:`redis_client_from_url`).
        prefix: Prepended to every key; use a distinct one per deployment (default ``esm:cache:``).
        ttl: Seconds an entry lives (default one day).
        maxsize: The most entries kept; beyond it the least recently used go first (default 1000).
        guard: Shared failure handling; default a new :class:`RedisGuard`.
        on_error: Passed to the default guard.

    Entries are written with a Lua script that names keys outside ``KEYS`` when evicting, so use a
    single Redis server or a replicated primary, not Redis Cluster.
    """

    def __init__(
        self,
        client: Any,
        *,
        prefix: str = "esm:cache:",
        ttl: float = 86_400.0,
        maxsize: int = 1000,
        guard: RedisGuard | None = None,
        on_error: Callable[[], None] | None = None,
    ) -> None:
        if not ttl > 0:
            raise ValueError(f"ttl must be > 0 seconds, got {ttl!r}")
        if maxsize < 1:
            raise ValueError(f"maxsize must be >= 1, got {maxsize!r}")
        self.client = client
        self.prefix = prefix
        self.ttl = float(ttl)
        self.maxsize = maxsize
        self.guard = guard or RedisGuard(on_error=on_error)
        self._books = [f"{prefix}~expiries", f"{prefix}~uses", f"{prefix}~counter"]
        self._ttl_ms = max(1, round(self.ttl * 1000))
        self._store = client.register_script(_STORE_SCRIPT)
        self._fetch = client.register_script(_FETCH_SCRIPT)
        self._size = client.register_script(_SIZE_SCRIPT)
        self._clear = client.register_script(_CLEAR_SCRIPT)
        self.corrupt = 0

    def get(self, key: str) -> Assessment | None:
        """Return the stored answer, or None when missing, expired, unreadable or Redis is down."""
        blob = self.guard.call(
            lambda: self._fetch(keys=[self.prefix + key, *self._books]), None, "cache read"
        )
        if blob is None:
            return None
        try:
            return assessment_from_json(blob)
        except ValueError:
            self.corrupt += 1
            return None

    def set(self, key: str, value: Assessment) -> None:
        """Store an answer (skipped quietly when Redis is down)."""
        blob = assessment_to_json(value)
        self.guard.call(
            lambda: self._store(
                keys=[self.prefix + key, *self._books], args=[blob, self._ttl_ms, self.maxsize]
            ),
            None,
            "cache write",
        )

    def __len__(self) -> int:
        """Return the number of live entries (0 when Redis is down)."""
        size = self.guard.call(
            lambda: self._size(keys=[self.prefix, *self._books]), 0, "cache size"
        )
        return int(size)

    def clear(self) -> None:
        """Drop every entry under this prefix."""
        self.guard.call(lambda: self._clear(keys=[self.prefix, *self._books]), 0, "cache clear")

    def __repr__(self) -> str:
        return f"RedisCacheStore(prefix={self.prefix!r}, ttl={self.ttl:g}, maxsize={self.maxsize})"


# One atomic sliding-window decision. ARGV: limit, window_ms, now_ms (or -1 for the server's
# clock), a unique member. Returns {allowed, remaining, retry_after_ms}.
_ACQUIRE_SCRIPT: Final = """
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
if now < 0 then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[4])
  redis.call('PEXPIRE', KEYS[1], math.ceil(window))
  return {1, limit - count - 1, '0'}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {0, 0, tostring(tonumber(oldest[2]) + window - now)}
"""


class RedisSlidingWindowLimiter:
    """A :class:`~esm_validate.RateLimiter` shared by every process through Redis.

    Args:
        client: A ``redis.Redis`` client.
        limit: Requests allowed per ``window`` per key (default 10).
        window: The window in seconds (default 60).
        prefix: Prepended to every key (default ``esm:rate:``).
        clock: None (default) uses the Redis server's clock, which every process shares; tests
            pass a fake clock (seconds) to slide the window without waiting.
        guard: Shared failure handling; default a new :class:`RedisGuard`.
        on_error: Passed to the default guard.
        local: The per-process limiter used while Redis is unreachable (default: same limits).
    """

    def __init__(
        self,
        client: Any,
        limit: int = 10,
        window: float = 60.0,
        *,
        prefix: str = "esm:rate:",
        clock: Callable[[], float] | None = None,
        guard: RedisGuard | None = None,
        on_error: Callable[[], None] | None = None,
        local: SlidingWindowLimiter | None = None,
    ) -> None:
        _check_limits(limit, window)
        self.client = client
        self.limit = limit
        self.window = float(window)
        self.prefix = prefix
        self._clock = clock
        self.guard = guard or RedisGuard(on_error=on_error)
        self.local = local or SlidingWindowLimiter(limit, window, clock=clock or time.monotonic)
        self._window_ms = self.window * 1000.0
        self._acquire = client.register_script(_ACQUIRE_SCRIPT)

    def _remote(self, key: str) -> Decision | None:
        now_ms = -1.0 if self._clock is None else self._clock() * 1000.0
        reply = self._acquire(
            keys=[self.prefix + key],
            args=[self.limit, repr(self._window_ms), repr(now_ms), uuid.uuid4().hex],
        )
        allowed, remaining, retry_ms = reply
        return Decision(bool(int(allowed)), int(remaining), max(0.0, float(retry_ms) / 1000.0))

    def acquire(self, key: str, /) -> Decision:
        """Count a request for ``key`` in Redis; while Redis is down, use the local limiter."""
        decision = self.guard.call(lambda: self._remote(key), None, "rate limit")
        return decision if decision is not None else self.local.acquire(key)

    def reset(self, key: str, /) -> None:
        """Forget ``key`` (in Redis and locally)."""
        self.guard.call(lambda: self.client.delete(self.prefix + key), 0, "rate limit reset")
        self.local.reset(key)

    def __repr__(self) -> str:
        return (
            f"RedisSlidingWindowLimiter(limit={self.limit}, window={self.window:g}, "
            f"prefix={self.prefix!r})"
        )
