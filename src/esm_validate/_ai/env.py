"""Build an AI backend and its settings from environment variables.

Variables (empty counts as unset):

* ``ESM_AI_PROVIDER``: ``openai``, ``anthropic``, ``compatible`` or ``local``. Unset: the first of
  openai, anthropic, compatible whose settings are present; none present means local only.
* ``OPENAI_API_KEY``, ``OPENAI_BASE_URL`` (default ``https://api.openai.com/v1``),
  ``ESM_OPENAI_MODEL``.
* ``ANTHROPIC_API_KEY``, ``ANTHROPIC_BASE_URL`` (default ``https://api.anthropic.com``),
  ``ESM_ANTHROPIC_MODEL``.
* ``ESM_AI_BASE_URL``, ``ESM_AI_MODEL`` and optional ``ESM_AI_API_KEY`` for an
  OpenAI-compatible server.
* ``ESM_AI_TIMEOUT``: seconds per attempt.

A wrong value raises :class:`~esm_validate.ConfigurationError` naming the variable; keys and URLs
are never repeated in the message.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Final, TypedDict

import attrs

from esm_validate._backends._checks import check_api_key, check_base_url, check_model
from esm_validate._errors import ConfigurationError
from esm_validate.protocols import ChatBackend

from .config import AIConfig

__all__ = ["PROVIDERS", "ai_config_from_env", "backend_from_env"]

#: Accepted values of ``ESM_AI_PROVIDER``.
PROVIDERS: Final = ("openai", "anthropic", "compatible", "local")
_MAX_TIMEOUT: Final = 600.0


def _get(environ: Mapping[str, str], name: str) -> str:
    return (environ.get(name) or "").strip()


def ai_config_from_env(environ: Mapping[str, str]) -> AIConfig:
    """Return the :class:`AIConfig` for *environ* (reads ``ESM_AI_TIMEOUT``).

    A timeout above the default budget's share raises the overall budget to 2.5 times the timeout,
    so a slow local model still gets a retry.
    """
    config = AIConfig()
    raw = _get(environ, "ESM_AI_TIMEOUT")
    if not raw:
        return config
    try:
        timeout = float(raw)
    except ValueError:
        raise ConfigurationError(
            f"ESM_AI_TIMEOUT must be a number of seconds, e.g. 10, got {raw[:40]!r}"
        ) from None
    if not math.isfinite(timeout) or not 0 < timeout <= _MAX_TIMEOUT:
        raise ConfigurationError(
            f"ESM_AI_TIMEOUT must be between 0 and {_MAX_TIMEOUT:.0f} seconds, got {raw[:40]!r}"
        )
    budget = max(config.total_budget, timeout * 2.5)
    return attrs.evolve(
        config,
        timeout=timeout,
        connect_timeout=min(config.connect_timeout, timeout),
        total_budget=budget,
    )


def _chosen(environ: Mapping[str, str]) -> str | None:
    provider = _get(environ, "ESM_AI_PROVIDER").lower()
    if provider:
        if provider not in PROVIDERS:
            raise ConfigurationError(
                f"ESM_AI_PROVIDER must be one of {', '.join(PROVIDERS)}, got {provider[:40]!r}"
            )
        return provider
    if _get(environ, "OPENAI_API_KEY"):
        return "openai"
    if _get(environ, "ANTHROPIC_API_KEY"):
        return "anthropic"
    if _get(environ, "ESM_AI_BASE_URL"):
        return "compatible"
    return None


def _require(environ: Mapping[str, str], name: str, provider: str) -> str:
    value = _get(environ, name)
    if not value:
        raise ConfigurationError(f"ESM_AI_PROVIDER is {provider} but {name} is not set")
    return value


class _BackendOptions(TypedDict):
    connect_timeout: float
    max_output_tokens: int
    temperature: float


def _keyed_settings(
    environ: Mapping[str, str],
    provider: str,
    *,
    key_var: str,
    url_var: str,
    default_url: str,
    model_var: str,
    default_model: str,
) -> tuple[str, str, str]:
    """Return (key, base URL, model) of a hosted provider, each checked."""
    key = check_api_key(_require(environ, key_var, provider), name=key_var)
    url = check_base_url(_get(environ, url_var) or default_url, name=url_var)
    model = check_model(_get(environ, model_var) or default_model, name=model_var)
    return key, url, model


def backend_from_env(
    environ: Mapping[str, str], *, config: AIConfig | None = None
) -> ChatBackend | None:
    """Return the configured backend, or None for local-only validation.

    Args:
        environ: The environment (e.g. ``os.environ``).
        config: Settings for connect timeout, output tokens and temperature
            (default: from *environ*).

    Raises:
        ConfigurationError: Unknown provider, a non-numeric timeout, a chosen provider's key or URL
            missing, or a malformed URL, key or model name.
    """
    config = config if config is not None else ai_config_from_env(environ)
    provider = _chosen(environ)
    if provider is None or provider == "local":
        return None
    options = _BackendOptions(
        connect_timeout=config.connect_timeout,
        max_output_tokens=config.max_output_tokens,
        temperature=config.temperature,
    )
    if provider == "openai":
        from esm_validate._backends.openai import DEFAULT_OPENAI_MODEL, OpenAIBackend

        key, url, model = _keyed_settings(
            environ,
            provider,
            key_var="OPENAI_API_KEY",
            url_var="OPENAI_BASE_URL",
            default_url="https://api.openai.com/v1",
            model_var="ESM_OPENAI_MODEL",
            default_model=DEFAULT_OPENAI_MODEL,
        )
        return OpenAIBackend(key, model, url, **options)
    if provider == "anthropic":
        from esm_validate._backends.anthropic import DEFAULT_ANTHROPIC_MODEL, AnthropicBackend

        key, url, model = _keyed_settings(
            environ,
            provider,
            key_var="ANTHROPIC_API_KEY",
            url_var="ANTHROPIC_BASE_URL",
            default_url="https://api.anthropic.com",
            model_var="ESM_ANTHROPIC_MODEL",
            default_model=DEFAULT_ANTHROPIC_MODEL,
        )
        return AnthropicBackend(key, model, url, **options)
    from esm_validate._backends.compatible import OpenAICompatibleBackend

    url = check_base_url(_require(environ, "ESM_AI_BASE_URL", provider), name="ESM_AI_BASE_URL")
    if not _get(environ, "ESM_AI_MODEL"):
        raise ConfigurationError(
            "ESM_AI_MODEL is not set: name the model the OpenAI-compatible server at "
            "ESM_AI_BASE_URL should use (e.g. llama3.1)"
        )
    model = check_model(_get(environ, "ESM_AI_MODEL"), name="ESM_AI_MODEL")
    raw_key = _get(environ, "ESM_AI_API_KEY")
    key_or_none = check_api_key(raw_key, name="ESM_AI_API_KEY") if raw_key else None
    return OpenAICompatibleBackend(url, model, key_or_none, **options)
