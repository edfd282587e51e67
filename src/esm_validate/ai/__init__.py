"""AI validation: the backend Protocol, the prompt, answer checking, retries and the AI validator.

Nothing here imports httpx; the HTTP backends live in :mod:`esm_validate.backends`.
"""

from __future__ import annotations

from .answer import AIAnswer, extract_json, parse_answer
from .config import AIConfig
from .env import ai_config_from_env, backend_from_env
from .prompt import ANSWER_SCHEMA, PROMPT_VERSION, SCHEMA_VERSION, Prompt, build_prompt
from .protocol import ChatBackend
from .retry import RetryPolicy
from .validator import AIValidator

__all__ = [
    "ANSWER_SCHEMA",
    "PROMPT_VERSION",
    "SCHEMA_VERSION",
    "AIAnswer",
    "AIConfig",
    "AIValidator",
    "ChatBackend",
    "Prompt",
    "RetryPolicy",
    "ai_config_from_env",
    "backend_from_env",
    "build_prompt",
    "extract_json",
    "parse_answer",
]
