"""Message catalogues of the bot (Russian in both address forms, English), :func:`render`, and
:func:`present` for the engine's parameters (catalogue format: docs/bot.md; an unknown language
falls back to English)."""

from __future__ import annotations

import datetime as dt
import re
import string
from collections.abc import Mapping
from typing import Any, Final

from . import en, ru

__all__ = [
    "FORMS",
    "LANGS",
    "client_lang",
    "day_label",
    "keys",
    "placeholders",
    "plural",
    "present",
    "render",
    "template",
    "tz_label",
]

#: Supported languages, the first is the fallback.
LANGS: Final[tuple[str, ...]] = ("en", "ru")
#: Address forms (values of :class:`esm_bot.domain.models.AddressForm`).
FORMS: Final[tuple[str, ...]] = ("informal", "formal")

#: Telegram client languages whose speakers get Russian before they choose (the rest: English).
_RUSSIAN_CLIENTS: Final = frozenset({"ru", "uk", "be", "kk", "ky", "tg", "uz", "hy", "az"})
_FORM_CHOICE: Final = re.compile(r"\[([^][|]*)\|([^][|]*)\]")


def _parse(text: str) -> dict[str, str]:
    """The ``key → template`` entries of a catalogue text (the format: docs/bot.md)."""
    entries: dict[str, str] = {}
    key = ""
    for line in text.splitlines():
        if line.startswith("    "):
            joint = "" if entries[key].endswith("\\n") else " "
            entries[key] = f"{entries[key]}{joint}{line.strip()}".lstrip()
        elif line.strip() and not line.startswith("#"):
            key, _, value = line.partition(":")
            if key in entries:
                raise ValueError(f"catalogue key {key!r} twice")
            entries[key] = value.strip()
    return {key: value.replace("\\n", "\n") for key, value in entries.items()}


_CATALOGUES: Final[Mapping[str, Mapping[str, str]]] = {"en": _parse(en.TEXT), "ru": _parse(ru.TEXT)}


def keys(lang: str = "en") -> frozenset[str]:
    """Every message key of ``lang``'s catalogue."""
    return frozenset(_CATALOGUES[lang])


def template(key: str, lang: str, form: str = "informal") -> str:
    """The unrendered template for ``key`` in ``lang`` and ``form`` (KeyError for a bad key)."""
    text = _CATALOGUES.get(lang, _CATALOGUES[LANGS[0]])[key]
    return _FORM_CHOICE.sub(r"\2" if str(form) == "formal" else r"\1", text)


def placeholders(key: str, lang: str, form: str = "informal") -> frozenset[str]:
    """The ``{names}`` a template needs."""
    parsed = string.Formatter().parse(template(key, lang, form))
    return frozenset(name for _, name, _, _ in parsed if name)


def client_lang(language_code: str | None) -> str:
    """The language for someone who has not chosen one, from their Telegram ``language_code``."""
    base = (language_code or "").strip().lower().replace("_", "-").split("-")[0]
    return "ru" if base in _RUSSIAN_CLIENTS else "en"


def plural(n: object, lang: str, forms: str) -> str:
    """The form of a word for the number ``n`` by the CLDR rules of ``lang``: ``forms`` is Russian
    ``one|few|many`` (fractions: few) or English ``one|other`` (not a number: the last form)."""
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
        return choices[1] if 2 <= whole % 10 <= 4 and not 12 <= whole % 100 <= 14 else choices[2]
    return choices[0] if number == 1 else choices[-1]


_DATES: Final[Mapping[str, tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, str]]]] = {
    "en": (
        "{weekday} {day} {month}",
        ("January", "February", "March", "April", "May", "June", "July", "August", "September",
         "October", "November", "December"),
        ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        ("today", "tomorrow"),
    ),
    "ru": (
        "{weekday}, {day} {month}",
        ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября",
         "октября", "ноября", "декабря"),
        ("понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье"),
        ("сегодня", "завтра"),
    ),
}  # fmt: skip


def day_label(day: dt.date, today: dt.date, lang: str) -> str:
    """``day`` as people say it: "tomorrow, Tuesday 3 March" / «завтра, вторник, 3 марта»."""
    pattern, months, weekdays, relative = _DATES.get(lang, _DATES[LANGS[0]])
    dated = pattern.format(
        weekday=weekdays[day.weekday()], day=day.day, month=months[day.month - 1]
    )
    offset = (day - today).days
    return f"{relative[offset]}, {dated}" if offset in (0, 1) else dated


class _Formatter(string.Formatter):
    """``str.format`` plus plural forms: ``{n:сигнал|сигнала|сигналов}`` (see :func:`plural`)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def format_field(self, value: Any, format_spec: str) -> str:
        if "|" in format_spec:
            return plural(value, self.lang, format_spec)
        return str(format(value, format_spec))


def render(key: str, lang: str, form: str = "informal", /, **params: Any) -> str:
    """Render message ``key`` in ``lang`` and ``form``; parameters are inserted as they are (text
    typed by a participant is never parsed). KeyError for a bad key or a missing parameter."""
    return _Formatter(lang).vformat(template(key, lang, form), (), params)


def tz_label(tz: str) -> str:
    """A zone as a participant reads it: ``Etc/GMT-3`` (POSIX sign) is shown as ``UTC+3``."""
    match = re.fullmatch(r"Etc/GMT([+-])(\d{1,2})", tz)
    return tz if match is None else f"UTC{'-' if match[1] == '+' else '+'}{int(match[2])}"


def present(params: Mapping[str, Any], lang: str, form: str) -> dict[str, Any]:
    """The engine's raw parameters as displayable values in ``lang``/``form``: codes become texts,
    ``first_day`` a day as people say it; lists joined, floats rounded, None shown as "–"."""
    known = keys(lang)
    out = dict(params)
    if isinstance(out.get("tz"), str):
        out["tz"] = tz_label(out["tz"])
    if isinstance(out.get("first_day"), str) and isinstance(out.get("today"), str):
        first, today = dt.date.fromisoformat(out["first_day"]), dt.date.fromisoformat(out["today"])
        out["first_day"] = day_label(first, today, lang)
    focus = out.get("focus")
    if "tip" in out and not out["tip"]:
        out["tip"] = render(f"tip_{focus}", lang, form) if f"tip_{focus}" in known else ""
    for name in ("focus", "quality", "state"):
        if f"{name}_{out.get(name)}" in known:
            out[name] = render(f"{name}_{out[name]}", lang, form)
    if isinstance(out.get("strengths"), list | tuple):
        items = "; ".join(str(s) for s in out["strengths"])
        key = "feedback_strengths" if items else "feedback_no_strengths"
        out["strengths"] = render(key, lang, form, items=items)
    for name, value in out.items():
        if value is None:
            out[name] = "–"
        elif isinstance(value, float):
            out[name] = f"{value:.0f}"
        elif isinstance(value, list | tuple | set | frozenset):
            out[name] = ", ".join(str(v) for v in value)
    return out
