"""Reading the Chat Completions reply shape shared by OpenAI, Ollama, vLLM and LM Studio."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from esm_validate._errors import MalformedAIResponse

from ._json import extract_json

__all__ = ["answer_from_chat_completion", "strict_schema"]


def _content_text(content: Any) -> str | None:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # some servers send content parts
        parts = [
            part.get("text", "")
            for part in content
            if isinstance(part, Mapping) and isinstance(part.get("text"), str)
        ]
        return "".join(parts) if parts else None
    return None


def _tool_arguments(tool_calls: Any) -> str | None:
    """Arguments of the first tool call: some servers answer a JSON request that way."""
    if isinstance(tool_calls, list) and tool_calls and isinstance(tool_calls[0], Mapping):
        function = tool_calls[0].get("function")
        if isinstance(function, Mapping) and isinstance(function.get("arguments"), str):
            return str(function["arguments"])
    return None


def answer_from_chat_completion(provider: str, body: Any) -> dict[str, Any]:
    """Return the JSON object in a chat completion's first choice.

    Raises:
        MalformedAIResponse: No choice, a refusal, ``finish_reason`` ``length`` or
            ``content_filter``, or content without a JSON object.
    """
    choices = body.get("choices") if isinstance(body, Mapping) else None
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], Mapping):
        raise MalformedAIResponse(f"{provider}: reply has no choices")
    choice = choices[0]
    message = choice.get("message")
    if not isinstance(message, Mapping):
        raise MalformedAIResponse(f"{provider}: reply has no message")
    if message.get("refusal"):
        raise MalformedAIResponse(f"{provider}: the model refused to answer")
    finish = choice.get("finish_reason")
    if finish == "length":
        raise MalformedAIResponse(f"{provider}: answer cut off (finish_reason=length)")
    if finish == "content_filter":
        raise MalformedAIResponse(f"{provider}: answer withheld by the content filter")
    text = _content_text(message.get("content")) or _tool_arguments(message.get("tool_calls"))
    if text is None:
        raise MalformedAIResponse(f"{provider}: reply has no text content")
    try:
        return extract_json(text)
    except MalformedAIResponse as exc:
        raise MalformedAIResponse(f"{provider}: {exc}") from None


def strict_schema(schema: Mapping[str, Any]) -> dict[str, Any]:
    """Return *schema* in OpenAI's strict subset: all required, optional ones nullable."""
    result = dict(schema)
    if result.get("type") == "object" and isinstance(result.get("properties"), Mapping):
        required = set(result.get("required", ()))
        properties: dict[str, Any] = {}
        for name, sub in result["properties"].items():
            converted = strict_schema(sub)
            if name not in required:
                converted["type"] = [converted["type"], "null"]
                if "enum" in converted:
                    converted["enum"] = [*converted["enum"], None]
            properties[name] = converted
        result["properties"] = properties
        result["required"] = list(properties)
        result["additionalProperties"] = False
    if isinstance(result.get("items"), Mapping):
        result["items"] = strict_schema(result["items"])
    return result
