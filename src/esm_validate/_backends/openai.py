"""OpenAI Chat Completions with Structured Outputs (``response_format`` ``json_schema``, strict)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ._base import HttpBackend
from ._chat import answer_from_chat_completion, strict_schema
from ._checks import check_api_key

if TYPE_CHECKING:
    import httpx

__all__ = ["DEFAULT_OPENAI_MODEL", "OpenAIBackend"]

#: Default model: small, cheap, supports temperature 0 and strict structured output.
DEFAULT_OPENAI_MODEL = "gpt-4.1-mini"
_SCHEMA_NAME = "des_assessment"


class OpenAIBackend(HttpBackend):
    """OpenAI's API: POST ``{base_url}/chat/completions`` with ``Authorization: Bearer <key>``.

    Satisfies :class:`~esm_validate.ChatBackend`. One attempt per :meth:`complete`; no retries.

    Args:
        api_key: The API key (never logged, never in errors or repr).
        model: Model name.
        base_url: API root including ``/v1`` (a proxy or Azure-style gateway may be given).
        connect_timeout: Seconds to open a connection.
        max_output_tokens: ``max_completion_tokens`` sent with each request.
        temperature: Sampling temperature.
        organization: Optional ``OpenAI-Organization`` header.
        transport: An httpx transport to send requests through instead of the network (tests
            pass ``httpx.MockTransport``); default a pooled HTTP transport without retries.
    """

    provider = "openai"

    def __init__(
        self,
        api_key: str,
        model: str = DEFAULT_OPENAI_MODEL,
        base_url: str = "https://api.openai.com/v1",
        *,
        connect_timeout: float = 5.0,
        max_output_tokens: int = 1024,
        temperature: float = 0.0,
        organization: str | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        key = check_api_key(api_key, name="api_key")
        headers = {"Authorization": f"Bearer {key}", "Accept": "application/json"}
        if organization:
            headers["OpenAI-Organization"] = check_api_key(organization, name="organization")
        super().__init__(
            model=model,
            base_url=base_url,
            headers=headers,
            secrets=(key,),
            connect_timeout=connect_timeout,
            max_output_tokens=max_output_tokens,
            temperature=temperature,
            transport=transport,
        )

    def complete(
        self, system: str, user: str, schema: Mapping[str, Any], *, timeout: float
    ) -> Mapping[str, Any]:
        """Send one request; return the answer object (see :class:`~esm_validate.ChatBackend`)."""
        payload = {
            "model": self.model,
            # "system", not "developer": OpenAI maps it for every model, and the gateways that
            # OPENAI_BASE_URL may point at (Azure, OpenRouter, proxies) all accept it.
            "messages": [
                {"role": "system", "content": system},
                {"role": "user", "content": user},
            ],
            "temperature": self.temperature,
            "max_completion_tokens": self.max_output_tokens,
            "response_format": {
                "type": "json_schema",
                "json_schema": {
                    "name": _SCHEMA_NAME,
                    "strict": True,
                    "schema": strict_schema(schema),
                },
            },
        }
        body = self._post("/chat/completions", payload, timeout=timeout)
        return answer_from_chat_completion(self.provider, body)
