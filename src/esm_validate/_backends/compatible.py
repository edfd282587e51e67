"""OpenAI-compatible local servers: Ollama, vLLM, LM Studio (JSON mode by default)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

from ._base import HttpBackend
from ._chat import answer_from_chat_completion
from ._checks import check_api_key

if TYPE_CHECKING:
    import httpx

__all__ = ["OpenAICompatibleBackend"]


class OpenAICompatibleBackend(HttpBackend):
    """An OpenAI-compatible server: POST ``{base_url}/chat/completions``.

    Handles what these servers do differently: Ollama's string ``error``, vLLM's integer error
    ``code``, ``<think>`` blocks and code fences around the JSON. Satisfies
    :class:`~esm_validate.ChatBackend`.

    Args:
        base_url: API root including ``/v1``, e.g. ``http://localhost:11434/v1`` (Ollama) or
            ``http://localhost:8000/v1`` (vLLM).
        model: Model name as the server knows it.
        api_key: Sent as a Bearer token when given (vLLM ``--api-key``); Ollama ignores it.
        mode: ``"json_object"`` (works everywhere; the prompt describes the shape) or
            ``"json_schema"`` (servers with structured outputs).
        connect_timeout: Seconds to open a connection.
        max_output_tokens: ``max_tokens`` sent with each request.
        temperature: Sampling temperature.
        transport: An httpx transport to send requests through instead of the network (tests
            pass ``httpx.MockTransport``); default a pooled HTTP transport without retries.
    """

    provider = "compatible"

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None = None,
        *,
        mode: Literal["json_object", "json_schema"] = "json_object",
        connect_timeout: float = 5.0,
        max_output_tokens: int = 1024,
        temperature: float = 0.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if mode not in ("json_object", "json_schema"):
            from esm_validate._errors import ConfigurationError

            raise ConfigurationError(f"mode must be 'json_object' or 'json_schema', got {mode!r}")
        self.mode = mode
        headers = {"Accept": "application/json"}
        secrets: tuple[str, ...] = ()
        if api_key:
            key = check_api_key(api_key, name="api_key")
            headers["Authorization"] = f"Bearer {key}"
            secrets = (key,)
        super().__init__(
            model=model,
            base_url=base_url,
            headers=headers,
            secrets=secrets,
            connect_timeout=connect_timeout,
            max_output_tokens=max_output_tokens,
            temperature=temperature,
            transport=transport,
        )

    def complete(
        self, system: str, user: str, schema: Mapping[str, Any], *, timeout: float
    ) -> Mapping[str, Any]:
        """Send one request; return the answer object (see :class:`~esm_validate.ChatBackend`)."""
        response_format: dict[str, Any] = {"type": "json_object"}
        if self.mode == "json_schema":
            response_format = {
                "type": "json_schema",
                "json_schema": {"name": "des_assessment", "schema": dict(schema)},
            }
        payload = {
            "model": self.model,
            "messages": [
                {"role": "system", "content": system},
                {"role": "user", "content": user},
            ],
            "temperature": self.temperature,
            "max_tokens": self.max_output_tokens,
            "stream": False,
            "response_format": response_format,
        }
        body = self._post("/chat/completions", payload, timeout=timeout)
        return answer_from_chat_completion(self.provider, body)
