"""The exception family of :mod:`esm_validate`.

Every error the library raises on purpose derives from :class:`EsmValidateError`, so callers
can catch one class. Backends raise the :class:`BackendError` subclasses; the fallback layer turns
each into a ``fallback_reason``. Messages never contain API keys or report text.
"""

from __future__ import annotations

__all__ = [
    "BackendAuthError",
    "BackendError",
    "BackendTimeout",
    "ConfigurationError",
    "EsmValidateError",
    "MalformedAIResponse",
    "PermanentBackendError",
    "RateLimitExceeded",
    "TransientBackendError",
]


class EsmValidateError(Exception):
    """Base class of every error raised by esm_validate."""


class ConfigurationError(EsmValidateError, ValueError):
    """A setting is missing or invalid (raised at construction, never at the first report)."""


class BackendError(EsmValidateError):
    """An AI backend failed. ``status`` is the HTTP status when there was one."""

    fallback_reason = "ai_unavailable"

    def __init__(
        self, message: str, *, status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class TransientBackendError(BackendError):
    """A failure worth retrying: connection error, 408, 409, 429, 5xx, 529."""


class PermanentBackendError(BackendError):
    """A failure not worth retrying: 400, 404, quota exhausted, a redirect."""


class BackendAuthError(PermanentBackendError):
    """401 or 403: the key is wrong or lacks access."""

    fallback_reason = "ai_auth"


class BackendTimeout(TransientBackendError):
    """An attempt, or the overall budget, ran out of time."""

    fallback_reason = "ai_timeout"


class MalformedAIResponse(BackendError):
    """The AI answered, but not with a valid assessment: bad JSON, wrong types, a refusal, or an
    answer cut off at the token limit (not retried)."""

    fallback_reason = "ai_invalid_answer"


class RateLimitExceeded(EsmValidateError):
    """The per-user limit is used up; ``retry_after`` seconds until the next slot."""

    fallback_reason = "rate_limited"

    def __init__(self, retry_after: float, *, user_id: str | None = None) -> None:
        super().__init__(f"rate limit exceeded; next slot in {retry_after:.1f} s")
        self.retry_after = retry_after
        self.user_id = user_id
