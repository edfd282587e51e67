"""The default validator stack, and :func:`from_env` which builds it from the environment.

The stack, outermost first (see ``docs/layers.md``)::

    MeteredValidator            counts every call, times it, owns the Metrics
      CachingValidator          a hit costs no rate quota, no network, no retries
        FallbackValidator       catches rate-limit refusals AND errors left after the retries
          RateLimitedValidator  counts logical validations, not retry attempts
            AIValidator         the only retry loop, around one HTTP attempt per try

* The cache is outermost so a repeated report never spends the user's quota or a network call;
  it stores only AI answers, so a fallback is never pinned for a day.
* The fallback sits outside the limiter and the retries so both "refused" and "gave up" reach it.
* The limiter sits outside the retrying AI validator so a retried 5xx costs the user one request.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, Final

import attrs

from ._closing import ClosesOnExit
from ._env import read_number
from ._errors import ConfigurationError
from ._layers._base import ForwardingLayer, as_validator, close_quietly, find_layer, inner_stats
from ._layers.cache import CachingValidator
from ._layers.fallback import FallbackValidator
from ._layers.ratelimit import RateLimitedValidator, SlidingWindowLimiter
from ._metrics import Metrics
from ._types import Assessment
from .protocols import CacheStore, LocalFunction, RateLimiter, Validator

__all__ = [
    "DEFAULT_CACHE_SIZE",
    "DEFAULT_CACHE_TTL",
    "DEFAULT_RATE_LIMIT",
    "DEFAULT_REDIS_PREFIX",
    "LayerSettings",
    "MeteredValidator",
    "build_validator",
    "from_env",
]

#: ``ESM_CACHE_TTL`` default: one day, in seconds.
DEFAULT_CACHE_TTL: Final = 86_400.0
#: ``ESM_CACHE_SIZE`` default.
DEFAULT_CACHE_SIZE: Final = 1000
#: ``ESM_RATE_LIMIT`` default: AI validations per user per minute.
DEFAULT_RATE_LIMIT: Final = 10
#: ``ESM_REDIS_PREFIX`` default.
DEFAULT_REDIS_PREFIX: Final = "esm:"


class MeteredValidator(ForwardingLayer, ClosesOnExit):
    """The outermost layer: times and counts every call into a :class:`~esm_validate.Metrics`.

    Args:
        inner: The stack below (any validator).
        metrics: Where to count; default a new :class:`~esm_validate.Metrics` owned by this object.
        timer: Measures call durations (``time.perf_counter``).
        on_close: Extra clean-up run by :meth:`close` (e.g. closing a Redis client).

    This is what :func:`from_env` and :func:`build_validator` return. It is safe to share between
    threads, and is a context manager (``with esm_validate.from_env() as v: ...``).
    """

    def __init__(
        self,
        inner: Validator,
        metrics: Metrics | None = None,
        *,
        timer: Callable[[], float] = time.perf_counter,
        on_close: tuple[Callable[[], object], ...] = (),
    ) -> None:
        self.inner = inner
        self.metrics = metrics if metrics is not None else Metrics()
        self._timer = timer
        self._on_close = on_close
        self._cache: CachingValidator | None = find_layer(inner, CachingValidator)
        provider = self.provider
        self._ai_provider = provider if provider != "local" else None
        self._closed = False
        self._close_lock = threading.Lock()

    def validate(
        self,
        text: str,
        *,
        user_id: str | None = None,
        training_day: int | None = None,
        lang: str | None = None,
    ) -> Assessment:
        """Assess one report.

        Raises:
            TypeError: ``text`` is not a string.
        """
        started = self._timer()
        try:
            if not isinstance(text, str):
                raise TypeError(f"report text must be a str, got {type(text).__name__}")
            answer = self.inner.validate(
                text, user_id=user_id, training_day=training_day, lang=lang
            )
        except BaseException:
            self.metrics.record_error(duration_s=self._timer() - started)
            raise
        self.metrics.record_validation(
            answer,
            duration_s=self._timer() - started,
            training_day=training_day,
            cache_used=self._cache is not None,
            ai_provider=self._ai_provider,
        )
        return answer

    def stats(self) -> Mapping[str, Any]:
        """Return a plain dict of counters (see ``docs/layers.md`` for every key)."""
        layers = inner_stats(self.inner)
        snap = self.metrics.snapshot()
        out: dict[str, Any] = dict(layers)
        out.update(
            provider=self.provider,
            model=self.model,
            cache_size=int(layers.get("cache_size", 0)),
            cache_hits=int(layers.get("cache_hits", snap["cache_hits"])),
            cache_misses=int(layers.get("cache_misses", snap["cache_misses"])),
            cache_hit_rate=float(layers.get("cache_hit_rate", snap["cache_hit_rate"])),
        )
        for name in (
            "validations",
            "validation_errors",
            "validationSuccessRate",
            "averageResponseQuality",
            "avg_validation_ms",
            "p95_validation_ms",
            "phenomena",
            "fallbacks",
            "fallbacks_by_reason",
            "ai_calls",
            "redis_errors",
            "quality_by_training_day",
        ):
            out[name] = snap[name]
        out["metrics"] = snap
        return out

    def log_stats(self) -> None:
        """Log a one-line summary at INFO (see :meth:`esm_validate.Metrics.log_stats`)."""
        self.metrics.log_stats()

    def close(self) -> None:
        """Release the HTTP client and Redis connections (idempotent)."""
        with self._close_lock:
            if self._closed:
                return
            self._closed = True
        close_quietly(self.inner)
        for callback in self._on_close:
            callback()

    def __repr__(self) -> str:
        return f"MeteredValidator({self.inner!r})"


def build_validator(
    ai: Validator | None = None,
    *,
    local: Validator | LocalFunction | None = None,
    cache_ttl: float = DEFAULT_CACHE_TTL,
    cache_size: int = DEFAULT_CACHE_SIZE,
    cache_store: CacheStore | None = None,
    rate_limit: int = DEFAULT_RATE_LIMIT,
    rate_window: float = 60.0,
    limiter: RateLimiter | None = None,
    max_tracked_users: int = 50_000,
    clock: Callable[[], float] = time.monotonic,
    metrics: Metrics | None = None,
    on_close: tuple[Callable[[], object], ...] = (),
) -> MeteredValidator:
    """Compose the default stack around an AI validator (or a local-only one when ``ai`` is None).

    Args:
        ai: The primary validator, e.g. :class:`~esm_validate.AIValidator`; None for local only.
        local: The fallback (and, without ``ai``, the only) validator; default the local rules.
        cache_ttl: Seconds an AI answer is cached; 0 turns the cache off.
        cache_size: The most answers cached; 0 turns the cache off.
        cache_store: Where to cache (e.g. a Redis store); overrides ``cache_ttl``/``cache_size``.
        rate_limit: AI validations per user per ``rate_window``; 0 turns the limiter off.
        rate_window: The limiter's window in seconds.
        limiter: A ready limiter (e.g. a Redis one); overrides ``rate_limit``/``rate_window``.
        max_tracked_users: Memory cap of the in-process limiter.
        clock: The monotonic clock for the cache TTL and the limiter window.
        metrics: Where to count; default a new one.
        on_close: Extra clean-up for :meth:`MeteredValidator.close`.
    """
    local_validator = as_validator(local)
    if ai is None:
        return MeteredValidator(local_validator, metrics, on_close=on_close)
    primary: Validator = ai
    if limiter is None and rate_limit > 0:
        limiter = SlidingWindowLimiter(
            rate_limit, rate_window, clock=clock, max_tracked_users=max_tracked_users
        )
    if limiter is not None:
        primary = RateLimitedValidator(primary, limiter)
    stack: Validator = FallbackValidator(primary, local_validator)
    if cache_store is not None or (cache_size > 0 and cache_ttl > 0):
        stack = CachingValidator(
            stack, ttl=cache_ttl, maxsize=cache_size, timer=clock, store=cache_store
        )
    return MeteredValidator(stack, metrics, on_close=on_close)


@attrs.frozen
class LayerSettings:
    """The layer settings read from the environment (see :meth:`from_environ`).

    Attributes:
        cache_ttl: ``ESM_CACHE_TTL``, seconds (default 86400; 0 turns the cache off).
        cache_size: ``ESM_CACHE_SIZE`` (default 1000; 0 turns the cache off).
        rate_limit: ``ESM_RATE_LIMIT``, AI validations per user per minute (default 10; 0 means
            no limit).
        redis_url: ``REDIS_URL``, or None (never shown in reprs: it may hold a password).
        redis_prefix: ``ESM_REDIS_PREFIX`` (default ``esm:``), to keep deployments apart.
    """

    cache_ttl: float = DEFAULT_CACHE_TTL
    cache_size: int = DEFAULT_CACHE_SIZE
    rate_limit: int = DEFAULT_RATE_LIMIT
    redis_url: str | None = attrs.field(default=None, repr=False)
    redis_prefix: str = DEFAULT_REDIS_PREFIX

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> LayerSettings:
        """Read the settings.

        Raises:
            ConfigurationError: A value is not a number >= 0 (the message names the variable).
        """
        return cls(
            cache_ttl=read_number(environ, "ESM_CACHE_TTL", DEFAULT_CACHE_TTL, low=0.0),
            cache_size=read_number(environ, "ESM_CACHE_SIZE", DEFAULT_CACHE_SIZE, low=0),
            rate_limit=read_number(environ, "ESM_RATE_LIMIT", DEFAULT_RATE_LIMIT, low=0),
            redis_url=environ.get("REDIS_URL", "").strip() or None,
            redis_prefix=environ.get("ESM_REDIS_PREFIX", "").strip() or DEFAULT_REDIS_PREFIX,
        )


def _ai_from_env(
    environ: Mapping[str, str], *, clock: Callable[[], float], sleep: Callable[[float], None]
) -> Validator | None:
    from ._ai.env import ai_config_from_env, backend_from_env

    config = ai_config_from_env(environ)
    backend = backend_from_env(environ, config=config)
    if backend is None:
        return None
    from ._ai.validator import AIValidator  # tenacity is imported only when an AI is configured

    validator: Validator = AIValidator(backend, config=config, clock=clock, sleep=sleep)
    return validator


def from_env(
    environ: Mapping[str, str] | None = None,
    *,
    clock: Callable[[], float] | None = None,
    sleep: Callable[[float], None] | None = None,
    metrics: Metrics | None = None,
) -> MeteredValidator:
    """Build the validator the environment describes; local-only when no AI is configured.

    Args:
        environ: The variables to read (default ``os.environ``). The AI variables are read by
            :func:`~esm_validate.backend_from_env` and :func:`~esm_validate.ai_config_from_env`;
            the layers read ``ESM_CACHE_TTL``, ``ESM_CACHE_SIZE``, ``ESM_RATE_LIMIT``,
            ``REDIS_URL`` and ``ESM_REDIS_PREFIX``.
        clock: A monotonic clock for timeouts, the cache TTL and the limiter (tests pass a fake).
        sleep: The sleep used between AI retries (tests pass a fake).
        metrics: Where to count; default a new one.

    Raises:
        ConfigurationError: A variable has a bad value (the message names it; never a secret).
    """
    env: Mapping[str, str] = os.environ if environ is None else environ
    settings = LayerSettings.from_environ(env)
    metrics = metrics if metrics is not None else Metrics()
    ai = _ai_from_env(env, clock=clock or time.monotonic, sleep=sleep or time.sleep)
    if ai is None:
        return build_validator(None, metrics=metrics)
    cache_store: CacheStore | None = None
    limiter: RateLimiter | None = None
    on_close: tuple[Callable[[], object], ...] = ()
    if settings.redis_url is not None:
        from ._layers.redis_store import (
            RedisCacheStore,
            RedisGuard,
            RedisSlidingWindowLimiter,
            redis_client_from_url,
        )

        try:
            client = redis_client_from_url(settings.redis_url)
        except ConfigurationError:
            close_quietly(ai)
            raise
        guard = RedisGuard(on_error=metrics.record_redis_error)
        prefix = settings.redis_prefix
        if settings.cache_size > 0 and settings.cache_ttl > 0:
            cache_store = RedisCacheStore(
                client,
                prefix=f"{prefix}cache:",
                ttl=settings.cache_ttl,
                maxsize=settings.cache_size,
                guard=guard,
            )
        if settings.rate_limit > 0:
            limiter = RedisSlidingWindowLimiter(
                client, settings.rate_limit, 60.0, prefix=f"{prefix}rate:", guard=guard, clock=clock
            )
        on_close = (client.close,)
    return build_validator(
        ai,
        cache_ttl=settings.cache_ttl,
        cache_size=settings.cache_size,
        cache_store=cache_store,
        rate_limit=settings.rate_limit,
        limiter=limiter,
        clock=clock or time.monotonic,
        metrics=metrics,
        on_close=on_close,
    )
