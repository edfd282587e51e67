"""Language detection and the per-language data (lexicon + message catalogue).

Adding a language means adding ``lexicon_xx.py`` and ``messages_xx.py`` and one line in
:data:`_MODULES`; nothing else changes.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from types import ModuleType

import attrs

from . import lexicon_en, lexicon_ru, messages_en, messages_ru

__all__ = ["SUPPORTED_LANGUAGES", "LanguageData", "detect_language", "language_data"]

#: (lexicon module, message module) per language code.
_MODULES: dict[str, tuple[ModuleType, ModuleType]] = {
    "en": (lexicon_en, messages_en),
    "ru": (lexicon_ru, messages_ru),
}
#: Language codes the local validator understands.
SUPPORTED_LANGUAGES: tuple[str, ...] = tuple(_MODULES)

_CYRILLIC = re.compile(r"[а-яёА-ЯЁ]")
_LATIN = re.compile(r"[a-zA-Z]")


def _letter_counts(text: str) -> tuple[int, int]:
    return len(_CYRILLIC.findall(text)), len(_LATIN.findall(text))


def detect_language(text: str) -> str:
    """Return ``"ru"`` or ``"en"``: the script with more letters wins; no letters gives ``"en"``.

    Mixed reports ("сказала себе 'ok, let's go'") take the language of most of their letters.
    """
    if not isinstance(text, str):
        raise TypeError(f"detect_language() needs a str, got {type(text).__name__}")
    cyrillic, latin = _letter_counts(text)
    return "ru" if cyrillic > 0 and cyrillic >= latin else "en"


def secondary_language(text: str, primary: str) -> str | None:
    """The other language when it has a real share (>= 20 % of the letters) of a mixed report."""
    cyrillic, latin = _letter_counts(text)
    total = cyrillic + latin
    if total == 0:
        return None
    other, share = ("en", latin) if primary == "ru" else ("ru", cyrillic)
    return other if share >= 0.2 * total and share >= 8 else None


def _wrap(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w)(?:{pattern})(?!\w)")


@attrs.frozen
class LanguageData:
    """Compiled markers and the message catalogue of one language."""

    code: str
    patterns: Mapping[str, re.Pattern[str]]
    issues: Mapping[str, str]
    feedback: Mapping[str, str]
    follow_up: Mapping[str, str]
    strengths: Mapping[str, str]
    praise: Mapping[int, str]


@functools.cache
def language_data(code: str) -> LanguageData:
    """Return the (compiled once, then shared read-only) data of ``code`` (``"ru"`` or ``"en"``)."""
    try:
        lexicon, messages = _MODULES[code]
    except KeyError:
        raise ValueError(
            f"unsupported language {code!r}; use one of {', '.join(SUPPORTED_LANGUAGES)}"
        ) from None
    patterns = {name: _wrap(source) for name, source in lexicon.PATTERNS.items()}
    return LanguageData(
        code=code,
        patterns=patterns,
        issues=messages.ISSUES,
        feedback=messages.FEEDBACK,
        follow_up=messages.FOLLOW_UP,
        strengths=messages.STRENGTHS,
        praise=messages.PRAISE,
    )
