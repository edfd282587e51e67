"""Message catalogues of the bot (Russian in both address forms, English) and :func:`render`.

Handlers never hold user-facing strings: they pass a message key and parameters to :func:`render`.
Russian has the seed's two address forms, informal «ты» and formal «вы»; English has one form (the
``form`` argument is accepted and ignored). An unknown language falls back to English, an unknown
form to informal; an unknown key or a missing parameter is a programming error and raises.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any, Final

from . import en, ru

__all__ = ["FORMS", "LANGS", "keys", "placeholders", "render", "template"]

#: Supported languages, the first is the fallback.
LANGS: Final[tuple[str, ...]] = ("en", "ru")
#: Address forms (values of :class:`esm_bot.domain.models.AddressForm`).
FORMS: Final[tuple[str, ...]] = ("informal", "formal")

_CATALOGUES: Final[Mapping[str, Mapping[str, str | tuple[str, str]]]] = {
    "en": en.MESSAGES,
    "ru": ru.MESSAGES,
}


def keys(lang: str = "en") -> frozenset[str]:
    """Every message key of ``lang``'s catalogue."""
    return frozenset(_CATALOGUES[lang])


def template(key: str, lang: str, form: str = "informal") -> str:
    """Return the unrendered template for ``key`` in ``lang`` and ``form``.

    Raises:
        KeyError: ``key`` is not in the catalogue.
    """
    catalogue = _CATALOGUES.get(lang, _CATALOGUES[LANGS[0]])
    value = catalogue[key]
    if isinstance(value, tuple):
        return value[1] if str(form) == "formal" else value[0]
    return value


def placeholders(key: str, lang: str, form: str = "informal") -> frozenset[str]:
    """The ``{names}`` a template needs."""
    return frozenset(
        name for _, name, _, _ in string.Formatter().parse(template(key, lang, form)) if name
    )


def render(key: str, lang: str, form: str = "informal", /, **params: Any) -> str:
    """Render message ``key`` in ``lang`` (``"ru"``/``"en"``) and address ``form``.

    Parameter values are inserted as they are (they are never parsed as templates), so text typed
    by a participant can be echoed safely.

    Raises:
        KeyError: unknown key, or a placeholder without a parameter.
    """
    return template(key, lang, form).format_map(params)
