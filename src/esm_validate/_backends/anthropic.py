"""Anthropic Messages API with a forced tool call (works on every Claude model)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from esm_validate._errors import MalformedAIResponse

from ._base import HttpBackend
from ._checks import check_api_key
from ._json import extract_json

if TYPE_CHECKING:
    import httpx

__all__ = ["ANTHROPIC_VERSION", "DEFAULT_ANTHROPIC_MODEL", "TOOL_NAME", "AnthropicBackend"]

#: Default model: Anthropic's small, fast model.
DEFAULT_ANTHROPIC_MODEL = "claude-haiku-4-5"
#: The ``anthropic-version`` header value.
ANTHROPIC_VERSION = "2023-06-01"
#: Name of the tool the model is forced to call; its input is the answer.
TOOL_NAME = "record_assessment"


class AnthropicBackend(HttpBackend):
    """Anthropic's API: POST ``{base_url}/v1/messages`` (``x-api-key``, ``anthropic-version``).

    The answer schema is the ``input_schema`` of one tool, and ``tool_choice`` forces the model to
    call it, so the answer arrives as the tool call's already-parsed ``input``. Satisfies
    :class:`~esm_validate.ChatBackend`.

    Args:
        api_key: The API key (never logged, never in errors or repr).
        model: Model name.
        base_url: API root without ``/v1``.
        connect_timeout: Seconds to open a connection.
        max_output_tokens: ``max_tokens`` (required by the API).
        temperature: Sampling temperature.
        transport: An httpx transport to send requests through instead of the network (tests
            pass ``httpx.MockTransport``); default a pooled HTTP transport without retries.
    """

    provider = "anthropic"

    def __init__(
        self,
        api_key: str,
        model: str = DEFAULT_ANTHROPIC_MODEL,
        base_url: str = "https://api.anthropic.com",
        *,
        connect_timeout: float = 5.0,
        max_output_tokens: int = 1024,
        temperature: float = 0.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        key = check_api_key(api_key, name="api_key")
        super().__init__(
            model=model,
            base_url=base_url,
            headers={
                "x-api-key": key,
                "anthropic-version": ANTHROPIC_VERSION,
                "Accept": "application/json",
            },
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
            "max_tokens": self.max_output_tokens,
            "temperature": self.temperature,
            "system": system,
            "messages": [{"role": "user", "content": user}],
            "tools": [
                {
                    "name": TOOL_NAME,
                    "description": "Record the assessment of the DES report.",
                    "input_schema": dict(schema),
                }
            ],
            "tool_choice": {"type": "tool", "name": TOOL_NAME, "disable_parallel_tool_use": True},
        }
        body = self._post("/v1/messages", payload, timeout=timeout)
        return self._answer(body)

    def _answer(self, body: Any) -> Mapping[str, Any]:
        if not isinstance(body, Mapping) or not isinstance(body.get("content"), list):
            raise MalformedAIResponse("anthropic: reply has no content")
        stop = body.get("stop_reason")
        if stop == "max_tokens":
            raise MalformedAIResponse("anthropic: answer cut off (stop_reason=max_tokens)")
        if stop == "refusal":
            raise MalformedAIResponse("anthropic: the model refused to answer")
        blocks = [block for block in body["content"] if isinstance(block, Mapping)]
        for block in blocks:
            if block.get("type") == "tool_use" and block.get("name") == TOOL_NAME:
                answer = block.get("input")
                if not isinstance(answer, Mapping):
                    raise MalformedAIResponse("anthropic: tool input is not an object")
                return answer
        text = "".join(
            b["text"] for b in blocks if b.get("type") == "text" and isinstance(b.get("text"), str)
        )
        if not text:
            raise MalformedAIResponse("anthropic: the model did not call the assessment tool")
        try:
            return extract_json(text)
        except MalformedAIResponse as exc:
            raise MalformedAIResponse(f"anthropic: {exc}") from None
