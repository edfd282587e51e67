"""Language detection and the per-language data (lexicon + message catalogue).

Adding a language means adding ``lexicon_xx.py`` and ``messages_xx.py`` and one line in
:data:`_MODULES`; nothing else changes.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, MutableMapping
from types import ModuleType
from typing import NamedTuple

import attrs

from . import lexicon_en, lexicon_ru, messages_en, messages_ru
from .gate import branch_map, first_prefixes, prefix_map, top_branches, viable_branches

__all__ = [
    "SUPPORTED_LANGUAGES",
    "LanguageData",
    "Marker",
    "detect_language",
    "language_data",
]

#: (lexicon module, message module) per language code.
_MODULES: dict[str, tuple[ModuleType, ModuleType]] = {
    "en": (lexicon_en, messages_en),
    "ru": (lexicon_ru, messages_ru),
}
#: Categories only used by helpers (negation windows), never collected as hits.
HELPER_ONLY: frozenset[str] = frozenset({"negator", "generalization_negator"})
#: Categories where "not"/«не» in the three words before a hit cancels it.
NEGATABLE: frozenset[str] = frozenset(
    {
        "inner_speech",
        "inner_seeing",
        "inner_hearing",
        "feeling",
        "sensory_attend",
        "bodily",
        "thinking_unspecified",
        "experiential",
        "abstract",
        "activity",
    }
)
#: Habit markers: cancelled when themselves negated ("not usually", «не всегда»).
HABITS: frozenset[str] = frozenset({"generalization", "self_theory"})
#: Categories whose hits still count inside quotes (the frame around a quote is outside it).
KEEP_IN_QUOTES: frozenset[str] = frozenset({"negator"})
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
    if text.isascii():  # a constant-time check: an ASCII text has no Cyrillic letter
        return "en"
    has_cyrillic = _CYRILLIC.search(text) is not None
    if not has_cyrillic:
        return "en"
    if _LATIN.search(text) is None:
        return "ru"
    cyrillic, latin = _letter_counts(text)
    return "ru" if cyrillic >= latin else "en"


def secondary_language(text: str, primary: str) -> str | None:
    """The other language when it has a real share (>= 20 % of the letters) of a mixed report."""
    if text.isascii() or _CYRILLIC.search(text) is None or _LATIN.search(text) is None:
        return None  # (an ASCII text has no Cyrillic letter; isascii() takes constant time)
    cyrillic, latin = _letter_counts(text)
    total = cyrillic + latin
    other, share = ("en", latin) if primary == "ru" else ("ru", cyrillic)
    return other if share >= 0.2 * total and share >= 8 else None


def _wrap(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w)(?:{pattern})(?!\w)")


class Marker(NamedTuple):
    """One marker category, ready for the matching loop (a plain tuple: cheap to unpack).

    Attributes:
        name: The category (a key of the lexicon's ``PATTERNS``).
        pattern: Its compiled pattern.
        match: The compiled pattern's ``match`` method.
        negation: ``"habit"`` (a negated habit marker is cancelled), ``"scope"`` (a negator
            before it, or a postposed negation, cancels it) or ``""`` (never cancelled).
        in_quotes: True when a hit inside a quotation still counts.
    """

    name: str
    pattern: re.Pattern[str]
    match: Callable[[str, int], re.Match[str] | None]
    negation: str
    in_quotes: bool


def _marker(name: str, pattern: re.Pattern[str]) -> Marker:
    negation = "habit" if name in HABITS else "scope" if name in NEGATABLE else ""
    return Marker(name, pattern, pattern.match, negation, name in KEEP_IN_QUOTES)


def _any_of(words: frozenset[str]) -> re.Pattern[str]:
    """A pattern found wherever one of ``words`` occurs, even inside another word."""
    return re.compile("|".join(sorted((re.escape(w) for w in words), key=len, reverse=True)))


@attrs.frozen
class LanguageData:
    """Compiled markers and the message catalogue of one language.

    ``prefixes`` maps each category to the word prefixes its matches start with (see
    :mod:`.gate`): a category is only searched when the text has a word with such a prefix.
    ``by_prefix`` maps each such prefix to the :class:`Marker` of its categories; ``memo`` caches
    a text's eight-character keys to their markers (derived constants only, bounded in size).
    ``branches`` maps a category to its :func:`.gate.branch_map`; ``narrowed`` caches the
    markers cut down to some of their branches (see :meth:`narrow`; at most one per prefix,
    since a key's longest prefix in the branch map decides its branches).
    ``feedback_informal``, ``follow_up_informal`` and ``praise_informal`` say the same as
    ``feedback``, ``follow_up`` and ``praise`` in the informal address (Russian «ты»; English has
    one "you", so there they are the same catalogues).
    ``negator_inside`` finds any negator word, even inside another word: where it finds
    nothing, no negation can apply (a quick pre-check).
    """

    code: str
    sources: Mapping[str, str]
    patterns: Mapping[str, re.Pattern[str]]
    prefixes: Mapping[str, frozenset[str]]
    by_prefix: Mapping[str, tuple[Marker, ...]]
    scanned: tuple[Marker, ...]
    issues: Mapping[str, str]
    feedback: Mapping[str, str]
    follow_up: Mapping[str, str]
    strengths: Mapping[str, str]
    praise: Mapping[int, str]
    feedback_informal: Mapping[str, str]
    follow_up_informal: Mapping[str, str]
    praise_informal: Mapping[int, str]
    negators: frozenset[str]
    conjunctions: frozenset[str]
    negator_inside: re.Pattern[str]
    branches: Mapping[str, Mapping[str, frozenset[int]]] = attrs.field(factory=dict)
    # Declared as MutableMapping (dicts at run time): mypyc cannot compile an attrs field
    # declared as a dict with a factory default.
    memo: MutableMapping[str, tuple[Marker, ...]] = attrs.field(factory=dict, eq=False, repr=False)
    narrowed: MutableMapping[tuple[str, frozenset[int]], Marker] = attrs.field(
        factory=dict, eq=False, repr=False
    )

    def narrow(self, key: str, markers: tuple[Marker, ...]) -> tuple[Marker, ...]:
        """``markers`` with each pattern cut down to the top-level branches that may match
        where the text starts with ``key`` (same order, so the same first match).

        Branches whose literal prefixes (:func:`.gate.branch_map`) rule ``key`` out cannot
        match there; dropping them leaves the match unchanged and makes misses cheaper (e.g.
        "the blue mug" no longer runs the thirteen branches of ``inner_seeing``).
        """
        return tuple(self._narrowed(key, marker) for marker in markers)

    def _narrowed(self, key: str, marker: Marker) -> Marker:
        branches = self.branches.get(marker.name)
        if branches is None:
            return marker
        viable = viable_branches(key, branches)
        cached = self.narrowed.get((marker.name, viable))
        if cached is None:
            sources = top_branches(self.sources[marker.name])
            if len(viable) == len(sources):
                cached = marker
            else:
                pattern = _wrap("|".join(sources[i] for i in sorted(viable)))
                cached = marker._replace(pattern=pattern, match=pattern.match)
            self.narrowed[(marker.name, viable)] = cached
        return cached


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
    prefixes = {
        name: first_prefixes(source)
        for name, source in lexicon.PATTERNS.items()
        if name not in HELPER_ONLY
    }
    markers = {name: _marker(name, patterns[name]) for name in prefixes}
    scanned = tuple(name for name, found in prefixes.items() if "" in found)
    gated = {name: found for name, found in prefixes.items() if name not in scanned}
    return LanguageData(
        code=code,
        sources=lexicon.PATTERNS,
        patterns=patterns,
        prefixes=prefixes,
        by_prefix=prefix_map(gated, markers),
        scanned=tuple(markers[name] for name in scanned),
        issues=messages.ISSUES,
        feedback=messages.FEEDBACK,
        follow_up=messages.FOLLOW_UP,
        strengths=messages.STRENGTHS,
        praise=messages.PRAISE,
        feedback_informal=messages.FEEDBACK_INFORMAL,
        follow_up_informal=messages.FOLLOW_UP_INFORMAL,
        praise_informal=messages.PRAISE_INFORMAL,
        negators=lexicon.NEGATORS,
        conjunctions=lexicon.CONJUNCTIONS,
        negator_inside=_any_of(lexicon.NEGATORS),
        branches={
            name: found
            for name in gated
            if (found := branch_map(lexicon.PATTERNS[name])) is not None
        },
    )
