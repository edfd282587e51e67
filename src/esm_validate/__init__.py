"""esm_validate: check Descriptive Experience Sampling reports against Hurlburt's criteria.

Quick start::

    import esm_validate
    a = esm_validate.validate("At the beep I was innerly saying 'where are my keys?'")
    a.score, a.quality, a.phenomena, a.issue_codes, a.feedback

Local validation is pure and always works; AI backends are optional (:func:`from_env`).
"""

from __future__ import annotations

from ._batch import validate_many
from ._types import (
    ISSUE_CODES,
    PHENOMENA,
    QUALITY_LEVELS,
    Assessment,
    Issue,
    Severity,
    quality_from_score,
)
from .ai import AIConfig, AIValidator, ChatBackend
from .backends import AnthropicBackend, OpenAIBackend, OpenAICompatibleBackend
from .config import ValidationConfig
from .dataframe import assess_dataframe
from .errors import (
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
from .layers import CachingValidator, FallbackValidator, RateLimitedValidator, SlidingWindowLimiter
from .local import VALIDATOR_VERSION, LocalRule, LocalValidator, detect_language, validate
from .metrics import Metrics
from .pipeline import MeteredValidator, build_validator, from_env
from .protocols import Clock, Sleep, Validator

__version__ = "0.1.0"

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
    "CachingValidator",
    "ChatBackend",
    "Clock",
    "ConfigurationError",
    "EsmValidateError",
    "FallbackValidator",
    "Issue",
    "LocalRule",
    "LocalValidator",
    "MalformedAIResponse",
    "MeteredValidator",
    "Metrics",
    "OpenAIBackend",
    "OpenAICompatibleBackend",
    "PermanentBackendError",
    "RateLimitExceeded",
    "RateLimitedValidator",
    "Severity",
    "Sleep",
    "SlidingWindowLimiter",
    "TransientBackendError",
    "ValidationConfig",
    "Validator",
    "__version__",
    "assess_dataframe",
    "build_validator",
    "detect_language",
    "from_env",
    "quality_from_score",
    "validate",
    "validate_many",
]
