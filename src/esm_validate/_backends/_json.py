"""Find the JSON object in a model's text (local models wrap it in code fences or ``<think>``).

Shared by every backend: :func:`extract_json` raises :class:`~esm_validate.MalformedAIResponse`
when there is none, and no other exception escapes it.
"""

from __future__ import annotations

import json
import re
from typing import Any, Final

from esm_validate._errors import MalformedAIResponse

__all__ = ["extract_json"]

_MAX_TEXT: Final = 200_000
_MAX_CANDIDATES: Final = 50
_THINK_BLOCK = re.compile(r"<(think|thinking|reasoning)>.*?</\1>", re.S | re.I)
_THINK_END = re.compile(r"</(?:think|thinking|reasoning)>", re.I)
_THINK_OPEN = re.compile(r"<(?:think|thinking|reasoning)>", re.I)
_FENCE = re.compile(r"```(?:json|JSON)?\s*\n?(.*?)```", re.S)


def _strip_wrappers(text: str) -> str:
    text = _THINK_BLOCK.sub("", text)
    ends = list(_THINK_END.finditer(text))
    if ends:  # a reasoning block whose opening tag was in the prompt template
        text = text[ends[-1].end() :]
    opened = _THINK_OPEN.search(text)
    if opened:  # reasoning that never ended: whatever follows is not an answer
        text = text[: opened.start()]
    return text.strip()


def _candidates(text: str) -> list[str]:
    found = [text]
    found.extend(match.group(1).strip() for match in _FENCE.finditer(text))
    return found


def extract_json(text: str) -> dict[str, Any]:
    """Return the first JSON object found in *text*.

    Strips ``<think>...</think>`` blocks and code fences, tries the whole text, then each ``{`` in
    turn. Raises :class:`MalformedAIResponse` when there is none.
    """
    if not isinstance(text, str):
        raise MalformedAIResponse(f"answer is {type(text).__name__}, not text")
    if len(text) > _MAX_TEXT:
        raise MalformedAIResponse(f"answer is too long ({len(text)} characters)")
    cleaned = _strip_wrappers(text)
    if not cleaned:
        raise MalformedAIResponse("answer is empty")
    decoder = json.JSONDecoder()
    for candidate in _candidates(cleaned):
        try:
            value = json.loads(candidate)
        except (ValueError, RecursionError):
            continue
        if isinstance(value, dict):
            return value
    start = cleaned.find("{")
    tries = 0
    while start != -1 and tries < _MAX_CANDIDATES:
        tries += 1
        try:
            value, _end = decoder.raw_decode(cleaned, start)
        except (ValueError, RecursionError):
            value = None
        if isinstance(value, dict):
            return value
        start = cleaned.find("{", start + 1)
    raise MalformedAIResponse("answer holds no JSON object")
