"""The :class:`ChatBackend` Protocol: the seam between the AI validator and a model provider."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

__all__ = ["ChatBackend"]


@runtime_checkable
class ChatBackend(Protocol):
    """**Protocol**: sends one request to a language model, returns its JSON answer.

    Any class with these two attributes and this one method fits; it needs no import from
    esm_validate. The built-in ones are :class:`~esm_validate.OpenAIBackend`,
    :class:`~esm_validate.AnthropicBackend` and :class:`~esm_validate.OpenAICompatibleBackend`.

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
