"""Keep secrets out of everything the operations commands print, write or raise.

Health output, export files, stats and error messages pass through :func:`redact` before they leave
the process. Secrets are the values of environment variables whose names say they are secret
(``*_KEY``, ``*_TOKEN``, ``*_SECRET``, ``*_PASSWORD``, ``*_SALT``) and passwords inside URIs
(``mongodb://user:PASSWORD@host``, ``redis://:PASSWORD@host``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

__all__ = ["REDACTED", "redact", "redact_uri", "secret_values", "strip_uri_password"]

#: What a secret is replaced with.
REDACTED = "***"

_SECRET_NAME = re.compile(r"(KEY|TOKEN|SECRET|PASSWORD|PASSWD|SALT)$", re.IGNORECASE)
_URI_PASSWORD = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)(?P<user>[^:/@\s]*):(?P<pw>[^@/\s]+)@")
_BOT_TOKEN = re.compile(r"\b\d{5,}:[A-Za-z0-9_-]{20,}\b")
#: Secrets shorter than this are not searched for (they would match ordinary words).
_MIN_SECRET_LEN = 4


def secret_values(environ: Mapping[str, str]) -> tuple[str, ...]:
    """Return every secret found in ``environ``, longest first."""
    found: set[str] = set()
    for name, value in environ.items():
        if not value:
            continue
        if _SECRET_NAME.search(name) and len(value) >= _MIN_SECRET_LEN:
            found.add(value)
        for match in _URI_PASSWORD.finditer(value):
            if len(match["pw"]) >= _MIN_SECRET_LEN:
                found.add(match["pw"])
    return tuple(sorted(found, key=len, reverse=True))


def redact(text: str, environ: Mapping[str, str] | Iterable[str] = ()) -> str:
    """Return ``text`` with URI passwords, bot tokens and the given secrets replaced by ``***``.

    ``environ`` is either an environment mapping (its secrets are found with :func:`secret_values`)
    or an iterable of secret strings.
    """
    secrets = (
        secret_values(environ)
        if isinstance(environ, Mapping)
        else tuple(sorted(environ, key=len, reverse=True))
    )
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    text = _URI_PASSWORD.sub(lambda m: f"{m['scheme']}{m['user']}:{REDACTED}@", text)
    return _BOT_TOKEN.sub(REDACTED, text)


def redact_uri(uri: str) -> str:
    """Return ``uri`` without its password (``mongodb://user:***@h1,h2/db?replicaSet=rs0``)."""
    return _URI_PASSWORD.sub(lambda m: f"{m['scheme']}{m['user']}:{REDACTED}@", uri)


def strip_uri_password(uri: str) -> str:
    """Return ``uri`` without its password (``mongodb://user@host/db``), for tools that ask."""
    return _URI_PASSWORD.sub(lambda m: f"{m['scheme']}{m['user']}@", uri)
