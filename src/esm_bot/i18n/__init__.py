"""Message catalogues of the bot (Russian in both address forms, English) and :func:`render`.

Handlers never hold user-facing strings: they pass a message key and parameters to :func:`render`.
Russian has the original MSE bot's two address forms, informal «ты» and formal «вы»; English has
one form (the ``form`` argument is accepted and ignored). An unknown language falls back to
English, an unknown form to informal; an unknown key or a missing parameter is a programming
error and raises.
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Mapping
from typing import Any, Final

from . import en, ru

__all__ = [
    "FORMS",
    "LANGS",
    "LANG_NAMES",
    "client_lang",
    "day_label",
    "keys",
    "placeholders",
    "plural",
    "render",
    "template",
]

#: Supported languages, the first is the fallback.
LANGS: Final[tuple[str, ...]] = ("en", "ru")
#: Address forms (values of :class:`esm_bot.domain.models.AddressForm`).
FORMS: Final[tuple[str, ...]] = ("informal", "formal")

#: Each language's name, as a participant reads it in that language's own catalogue.
LANG_NAMES: Final[Mapping[str, Mapping[str, str]]] = {
    "en": {"en": "English", "ru": "Russian"},
    "ru": {"en": "английский", "ru": "русский"},
}
#: Telegram client languages whose speakers get Russian before they choose (the rest: English).
_RUSSIAN_CLIENTS: Final = frozenset({"ru", "uk", "be", "kk", "ky", "tg", "uz", "hy", "az"})

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


def client_lang(language_code: str | None) -> str:
    """The language for someone who has not chosen one: their Telegram client's ``language_code``.

    ``ru``, ``uk``, ``be`` and the other languages of Russian-reading regions give ``"ru"``;
    everything else (``en``, ``de``, none at all...) gives ``"en"``.
    """
    base = (language_code or "").strip().lower().replace("_", "-").split("-")[0]
    return "ru" if base in _RUSSIAN_CLIENTS else "en"


def plural(n: object, lang: str, forms: str) -> str:
    """The form of a word for the number ``n``, by the CLDR plural rules of ``lang``.

    ``forms`` lists the forms separated by ``|``: Russian ``one|few|many`` (``сигнал|сигнала|
    сигналов``: 1, 21 сигнал; 2-4, 22 сигнала; 0, 5-20, 11-14 сигналов; fractions take ``few``),
    English ``one|other``. A value that is not a number takes the last form.
    """
    choices = forms.split("|")
    try:
        number = float(str(n).replace(",", "."))
    except ValueError:
        return choices[-1]
    if lang == "ru" and len(choices) == 3:
        if not number.is_integer():
            return choices[1]
        whole = abs(int(number))
        if whole % 10 == 1 and whole % 100 != 11:
            return choices[0]
        if 2 <= whole % 10 <= 4 and not 12 <= whole % 100 <= 14:
            return choices[1]
        return choices[2]
    return choices[0] if number == 1 else choices[-1]


_MONTHS: Final[Mapping[str, tuple[str, ...]]] = {
    "en": (
        "January", "February", "March", "April", "May", "June", "July", "August", "September",
        "October", "November", "December",
    ),
    "ru": (
        "января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября",
        "октября", "ноября", "декабря",
    ),
}  # fmt: skip
_WEEKDAYS: Final[Mapping[str, tuple[str, ...]]] = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "ru": ("понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье"),
}
_RELATIVE: Final[Mapping[str, tuple[str, str]]] = {
    "en": ("today", "tomorrow"),
    "ru": ("сегодня", "завтра"),
}


def day_label(day: dt.date, today: dt.date, lang: str) -> str:
    """``day`` as people say it: "tomorrow, Tuesday 3 March" / «завтра, вторник, 3 марта»."""
    lang = lang if lang in _MONTHS else LANGS[0]
    weekday = _WEEKDAYS[lang][day.weekday()]
    if lang == "ru":
        dated = f"{weekday}, {day.day} {_MONTHS[lang][day.month - 1]}"
    else:
        dated = f"{weekday} {day.day} {_MONTHS[lang][day.month - 1]}"
    offset = (day - today).days
    if offset in (0, 1):
        return f"{_RELATIVE[lang][offset]}, {dated}"
    return dated


class _Formatter(string.Formatter):
    """``str.format`` plus plural forms: ``{n:сигнал|сигнала|сигналов}`` (see :func:`plural`)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def format_field(self, value: Any, format_spec: str) -> str:
        if "|" in format_spec:
            return plural(value, self.lang, format_spec)
        return str(format(value, format_spec))


def render(key: str, lang: str, form: str = "informal", /, **params: Any) -> str:
    """Render message ``key`` in ``lang`` (``"ru"``/``"en"``) and address ``form``.

    Parameter values are inserted as they are (they are never parsed as templates), so text typed
    by a participant can be echoed safely. ``{n:one|few|many}`` inserts the word form for the
    number ``n`` (:func:`plural`, the CLDR rules), e.g. ``{beeps} {beeps:сигнал|сигнала|сигналов}``.

    Raises:
        KeyError: unknown key, or a placeholder without a parameter.
    """
    return _Formatter(lang).vformat(template(key, lang, form), (), params)
