"""AI backends over httpx (no vendor SDKs): OpenAI, Anthropic, OpenAI-compatible servers.

Each satisfies :class:`~esm_validate.ChatBackend`.
httpx is imported when the first backend is built.
"""

from __future__ import annotations

from .anthropic import AnthropicBackend
from .compatible import OpenAICompatibleBackend
from .openai import OpenAIBackend

__all__ = ["AnthropicBackend", "OpenAIBackend", "OpenAICompatibleBackend"]
