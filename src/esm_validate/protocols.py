"""The seams of :mod:`esm_validate`, as :class:`typing.Protocol` classes, all in this one module.

Anything with the right members fits: a researcher's own validator, backend, rule, cache store or
limiter needs no import from us. Every name here is also exported from :mod:`esm_validate`.

* :class:`Validator`: turns a report into an :class:`~esm_validate.Assessment` (every layer is one).
* :class:`LocalFunction`: a plain function with :func:`esm_validate.validate`'s signature.
* :class:`ChatBackend`: sends one request to a language model.
* :class:`LocalRule`: one check of a report by the local rule engine.
* :class:`CacheStore`: where the answer cache keeps answers.
* :class:`RateLimiter`: a non-blocking per-user limiter.
* :data:`Clock` and :data:`Sleep`: injected time, so tests never wait on the wall clock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from ._types import Assessment, Decision, Issue

if TYPE_CHECKING:  # annotations only: the local rule engine sits above this module
    from .local import Report

__all__ = [
    "CacheStore",
    "ChatBackend",
    "Clock",
    "LocalFunction",
    "LocalRule",
    "RateLimiter",
    "Sleep",
    "Validator",
]

#: Returns seconds from a monotonic clock (``time.monotonic`` in production).
Clock = Callable[[], float]
#: Sleeps for the given seconds (``time.sleep`` in production).
Sleep = Callable[[float], None]


@runtime_checkable
class Validator(Protocol):
    """Anything that turns a report into an :class:`~esm_validate.Assessment`.

    Every layer (cache, fallback, rate limit, AI) is a Validator wrapping another one. The layers
    call only ``validate`` on what they wrap, and read ``stats()`` when it is there.
    """

    def validate(
        self,
        text: str,
        *,
        user_id: str | None = None,
        training_day: int | None = None,
        lang: str | None = None,
    ) -> Assessment:
        """Assess one report."""
        ...

    def stats(self) -> Mapping[str, Any]:
        """Return a plain mapping of counters (see :class:`~esm_validate.Metrics`)."""
        ...


class LocalFunction(Protocol):
    """A plain function like :func:`esm_validate.validate`: ``fn(text, *, lang, training_day)``.

    The AI validator and the fallback layer take one for the local rules; ``user_id`` is not
    passed, because local rules do not depend on who wrote the report.
    """

    def __call__(
        self, text: str, *, lang: str | None = None, training_day: int | None = None
    ) -> Assessment:
        """Assess ``text`` with the local rules."""
        ...


@runtime_checkable
class ChatBackend(Protocol):
    """Sends one request to a language model and returns its JSON answer.

    Any class with these two attributes and this one method fits. The built-in ones are
    :class:`~esm_validate.OpenAIBackend`, :class:`~esm_validate.AnthropicBackend` and
    :class:`~esm_validate.OpenAICompatibleBackend`.

    Attributes:
        provider: A short provider name (``"openai"``, ``"anthropic"``, ``"compatible"``, ...).
        model: The model name sent to the provider.
    """

    provider: str
    model: str

    def complete(
        self, system: str, user: str, schema: Mapping[str, Any], *, timeout: float
    ) -> Mapping[str, Any]:
        """Send one request and return the model's answer as a parsed JSON object.

        Make exactly one attempt (no retries inside: the caller owns the retry policy) and give up
        after *timeout* seconds.

        Args:
            system: The instructions (system prompt).
            user: The user message (the report as JSON data).
            schema: The JSON Schema the answer must follow.
            timeout: Seconds allowed for this attempt.

        Returns:
            The answer object, not yet checked against *schema* (the caller checks it).

        Raises:
            esm_validate.TransientBackendError: Worth retrying (connection, 408, 409, 429, 5xx);
                set ``retry_after`` when the server asked for a wait.
            esm_validate.BackendTimeout: The attempt ran out of time.
            esm_validate.PermanentBackendError: Not worth retrying (400, 404, quota);
                :class:`~esm_validate.BackendAuthError` for a rejected key.
            esm_validate.MalformedAIResponse: The model answered, but not with a JSON object.

        Any other exception is treated as a transient failure by the AI validator.
        """
        ...


@runtime_checkable
class LocalRule(Protocol):
    """A check of one report: a researcher's own rule needs only these two members.

    Example::

        class MentionsCoffee:
            code = "mentions_coffee"

            def check(self, report: Report) -> Iterable[Issue]:
                if "coffee" in report.normalised:
                    yield Issue(self.code, "Coffee again?", Severity.INFO)

    ``report`` is an :class:`esm_validate.local.Report`; pass the rules to
    :class:`~esm_validate.LocalValidator`.
    """

    @property
    def code(self) -> str:
        """The issue code this rule reports (a built-in code or your own)."""
        ...

    def check(self, report: Report) -> Iterable[Issue]:
        """Yield the issues this rule finds in ``report`` (none when it is fine)."""
        ...


@runtime_checkable
class CacheStore(Protocol):
    """Where :class:`~esm_validate.CachingValidator` keeps answers (in memory, or Redis)."""

    def get(self, key: str) -> Assessment | None:
        """Return the stored answer, or None (missing, expired, or the store is unreachable)."""
        ...

    def set(self, key: str, value: Assessment) -> None:
        """Store an answer (failures are swallowed and counted by the store)."""
        ...

    def __len__(self) -> int:
        """Return how many live entries the store holds."""
        ...

    def clear(self) -> None:
        """Drop every entry."""
        ...


@runtime_checkable
class RateLimiter(Protocol):
    """A non-blocking per-key limiter (in memory, or shared through Redis).

    Attributes:
        limit: Requests allowed per ``window`` per key.
        window: The window in seconds.
    """

    limit: int
    window: float

    def acquire(self, key: str, /) -> Decision:
        """Count one request for ``key`` if allowed; never sleeps."""
        ...
