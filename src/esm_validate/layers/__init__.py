"""Composable layers around a validator: cache, per-user rate limit, fallback to local rules.

Each layer wraps a validator and is itself one, so a researcher can stack them in any order::

    from esm_validate import CachingValidator, FallbackValidator, RateLimitedValidator
    from esm_validate import SlidingWindowLimiter
    limited = RateLimitedValidator(my_ai_validator, SlidingWindowLimiter(limit=5, window=60))
    validator = CachingValidator(FallbackValidator(limited), ttl=3600)

Redis-backed stores live in :mod:`esm_validate.layers.redis_store` (extra ``redis``).
"""

from __future__ import annotations

from ._base import FunctionValidator, SupportsValidate
from .cache import CacheStore, CachingValidator, MemoryCacheStore, cache_key, normalise_text
from .fallback import FallbackValidator
from .ratelimit import Decision, RateLimitedValidator, RateLimiter, SlidingWindowLimiter

__all__ = [
    "CacheStore",
    "CachingValidator",
    "Decision",
    "FallbackValidator",
    "FunctionValidator",
    "MemoryCacheStore",
    "RateLimitedValidator",
    "RateLimiter",
    "SlidingWindowLimiter",
    "SupportsValidate",
    "cache_key",
    "normalise_text",
]
