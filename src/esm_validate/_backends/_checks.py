"""Checks for backend settings (keys, URLs, model names) that never echo a secret.

Shared by the backend constructors and ``backend_from_env``, so a wrong value is reported at
construction with the name of the setting, not as an obscure HTTP error at the first report.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from esm_validate._errors import ConfigurationError

__all__ = ["check_api_key", "check_base_url", "check_model", "redact"]

_PRINTABLE_TOKEN = re.compile(r"[\x21-\x7e]+")
_MODEL = re.compile(r"[^\s\x00-\x1f\x7f]+")
# Credential-like words in text a server sends back (e.g. "Incorrect API key: sk-abc...").
_KEY_LIKE = re.compile(r"\b(?:sk|pk|rk|key|api|anthropic|token)[-_][A-Za-z0-9_\-*.]{6,}", re.I)


def check_api_key(value: str, *, name: str) -> str:
    """Return the key stripped of surrounding blanks, or raise :class:`ConfigurationError`.

    Args:
        value: The key.
        name: The setting's name for the message (e.g. ``"OPENAI_API_KEY"``); the key is
            never shown.
    """
    if not isinstance(value, str):
        raise ConfigurationError(f"{name} must be a string")
    key = value.strip()
    if not key:
        raise ConfigurationError(f"{name} is empty")
    if not _PRINTABLE_TOKEN.fullmatch(key):
        raise ConfigurationError(
            f"{name} contains spaces, line breaks or non-ASCII characters (value not shown)"
        )
    return key


def check_base_url(value: str, *, name: str) -> str:
    """Return an ``http(s)`` base URL without trailing slash, or raise :class:`ConfigurationError`.

    The message names the setting but never repeats the URL, which may carry credentials.
    """
    if not isinstance(value, str) or not value.strip():
        raise ConfigurationError(f"{name} is empty")
    url = value.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ConfigurationError(f"{name} is not a valid URL (value not shown)") from None
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ConfigurationError(
            f"{name} must be an http:// or https:// URL with a host, e.g. https://api.openai.com/v1"
        )
    if port == 0 or any(c.isspace() for c in url):
        raise ConfigurationError(f"{name} is not a valid URL (value not shown)")
    if parts.query or parts.fragment:
        raise ConfigurationError(f"{name} must not contain a query string or fragment")
    if parts.username or parts.password:
        raise ConfigurationError(f"{name} must not contain credentials; use the API key setting")
    return url.rstrip("/")


def check_model(value: str, *, name: str) -> str:
    """Return a non-empty model name without blanks, or raise :class:`ConfigurationError`."""
    if not isinstance(value, str) or not value.strip():
        raise ConfigurationError(f"{name} is empty: name the model, e.g. gpt-4.1-mini")
    model = value.strip()
    if not _MODEL.fullmatch(model):
        raise ConfigurationError(f"{name} must not contain spaces or control characters")
    return model


def redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    """Remove *secrets* and anything that looks like an API key from *text*."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
    return _KEY_LIKE.sub("[redacted]", text)
