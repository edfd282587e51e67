"""Composable layers around a validator: cache, per-user rate limit, fallback to local rules.

Private: every public name is exported from :mod:`esm_validate`. Each layer wraps a validator
and is itself one, so a researcher can stack them in any order::

    from esm_validate import CachingValidator, FallbackValidator, RateLimitedValidator
    from esm_validate import SlidingWindowLimiter
    limited = RateLimitedValidator(my_ai_validator, SlidingWindowLimiter(limit=5, window=60))
    validator = CachingValidator(FallbackValidator(limited), ttl=3600)

The Redis-backed store and limiter (extra ``redis``) are in ``redis_store``.
"""
