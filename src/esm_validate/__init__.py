"""esm_validate: check Descriptive Experience Sampling reports against Hurlburt's criteria.

Quick start::

    import esm_validate
    a = esm_validate.validate("At the beep I was innerly saying 'where are my keys?'")
    a.score, a.quality, a.phenomena, a.issue_codes, a.feedback

Local validation is pure and always works; AI backends are optional (:func:`from_env`).

Every public name is importable from here, and documented here (``docs/api/``). The modules with
a leading underscore are private. Besides this one, the documented places are
:mod:`esm_validate.local` (the rule engine's building blocks, for writing rules),
:mod:`esm_validate.protocols` (where the seams are defined; each is also exported here),
:mod:`esm_validate.contrib.prometheus` and :mod:`esm_validate.contrib.otel` (exporters) and the
``esm-validate`` command (:mod:`esm_validate.cli`).

The local rules are imported at once. Everything that needs the AI stack (tenacity, httpx),
the layers or the metrics is imported on first use of its name, so ``import esm_validate`` for
the local rules stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._batch import validate_many
from ._errors import (
    BackendAuthError,
    BackendError,
    BackendTimeout,
    ConfigurationError,
    EsmValidateError,
    MalformedAIResponse,
    PermanentBackendError,
    RateLimitExceeded,
    TransientBackendError,
)
from ._types import (
    ISSUE_CODES,
    PHENOMENA,
    QUALITY_LEVELS,
    Assessment,
    Decision,
    Issue,
    Severity,
    quality_from_score,
)
from .config import ComponentWeights, QualityThresholds, ValidationConfig
from .local import VALIDATOR_VERSION, LocalValidator, detect_language, validate
from .protocols import (
    CacheStore,
    ChatBackend,
    Clock,
    LocalFunction,
    LocalRule,
    RateLimiter,
    Sleep,
    Validator,
)

if TYPE_CHECKING:  # the names below are imported lazily by __getattr__ at run time
    from ._ai.config import AIConfig
    from ._ai.env import ai_config_from_env, backend_from_env
    from ._ai.validator import AIValidator
    from ._backends.anthropic import AnthropicBackend
    from ._backends.compatible import OpenAICompatibleBackend
    from ._backends.openai import OpenAIBackend
    from ._dataframe import assess_dataframe
    from ._layers._base import FunctionValidator
    from ._layers.cache import CachingValidator, MemoryCacheStore
    from ._layers.fallback import FallbackValidator
    from ._layers.ratelimit import RateLimitedValidator, SlidingWindowLimiter
    from ._layers.redis_store import (
        RedisCacheStore,
        RedisGuard,
        RedisSlidingWindowLimiter,
        redis_client_from_url,
    )
    from ._metrics import Metrics
    from ._pipeline import MeteredValidator, build_validator, from_env

__version__ = "0.1.0"

#: Public name -> the private module that defines it, imported on first access.
_LAZY: dict[str, str] = {
    "AIConfig": "._ai.config",
    "AIValidator": "._ai.validator",
    "ai_config_from_env": "._ai.env",
    "backend_from_env": "._ai.env",
    "AnthropicBackend": "._backends.anthropic",
    "OpenAIBackend": "._backends.openai",
    "OpenAICompatibleBackend": "._backends.compatible",
    "assess_dataframe": "._dataframe",
    "FunctionValidator": "._layers._base",
    "CachingValidator": "._layers.cache",
    "MemoryCacheStore": "._layers.cache",
    "FallbackValidator": "._layers.fallback",
    "RateLimitedValidator": "._layers.ratelimit",
    "SlidingWindowLimiter": "._layers.ratelimit",
    "RedisCacheStore": "._layers.redis_store",
    "RedisGuard": "._layers.redis_store",
    "RedisSlidingWindowLimiter": "._layers.redis_store",
    "redis_client_from_url": "._layers.redis_store",
    "Metrics": "._metrics",
    "MeteredValidator": "._pipeline",
    "build_validator": "._pipeline",
    "from_env": "._pipeline",
}


def __getattr__(name: str) -> Any:
    """Import a lazily exported name on first access and keep it in the module."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'esm_validate' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """List the public names, the lazy ones included."""
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "ISSUE_CODES",
    "PHENOMENA",
    "QUALITY_LEVELS",
    "VALIDATOR_VERSION",
    "AIConfig",
    "AIValidator",
    "AnthropicBackend",
    "Assessment",
    "BackendAuthError",
    "BackendError",
    "BackendTimeout",
    "CacheStore",
    "CachingValidator",
    "ChatBackend",
    "Clock",
    "ComponentWeights",
    "ConfigurationError",
    "Decision",
    "EsmValidateError",
    "FallbackValidator",
    "FunctionValidator",
    "Issue",
    "LocalFunction",
    "LocalRule",
    "LocalValidator",
    "MalformedAIResponse",
    "MemoryCacheStore",
    "MeteredValidator",
    "Metrics",
    "OpenAIBackend",
    "OpenAICompatibleBackend",
    "PermanentBackendError",
    "QualityThresholds",
    "RateLimitExceeded",
    "RateLimitedValidator",
    "RateLimiter",
    "RedisCacheStore",
    "RedisGuard",
    "RedisSlidingWindowLimiter",
    "Severity",
    "Sleep",
    "SlidingWindowLimiter",
    "TransientBackendError",
    "ValidationConfig",
    "Validator",
    "__version__",
    "ai_config_from_env",
    "assess_dataframe",
    "backend_from_env",
    "build_validator",
    "detect_language",
    "from_env",
    "quality_from_score",
    "redis_client_from_url",
    "validate",
    "validate_many",
]
