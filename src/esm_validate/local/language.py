"""Language detection and the per-language data (lexicon + message catalogue).

Adding a language means adding ``lexicon_xx.py`` and ``messages_xx.py`` and one line in
:data:`_MODULES`; nothing else changes.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, MutableMapping
from collections.abc import Set as AbstractSet
from re import _parser as _sre_parse  # type: ignore[attr-defined]  # the regex parser (3.11+)
from types import ModuleType
from typing import Any, NamedTuple

import attrs

from . import lexicon_en, lexicon_ru, messages_en, messages_ru
from .gate import (
    PREFIX_LENGTH,
    branch_map,
    first_prefixes,
    prefix_map,
    top_branches,
    viable_branches,
)
from .morphology import form_index

__all__ = [
    "SUPPORTED_LANGUAGES",
    "LanguageData",
    "Marker",
    "WordEntry",
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


class WordEntry(NamedTuple):
    """What a word form brings to the scan wherever it starts (see :meth:`LanguageData.entry`).

    Attributes:
        local: The markers that match exactly this word there (decided by the word alone).
        regex: True when some marker may match there with a longer, multi-word pattern: those
            markers are tried with their regular expressions at that word start.
        content: The content categories (``c_*``) of the word (:func:`.morphology.form_index`).
    """

    local: tuple[Marker, ...]
    regex: bool
    content: tuple[str, ...]


#: The entry of a word that brings nothing (shared, so that a scan can skip it by identity).
NOTHING = WordEntry((), False, ())
#: Most word forms remembered per language (the memo stops growing there; memory stays flat).
WORD_MEMO_LIMIT = 100_000
_WORD_CHAR = re.compile(r"\w")


def _is_local(items: Any) -> bool:
    """True when a parsed pattern only ever consumes word characters and asserts nothing: its
    match at a word start is then decided by that word alone (the wrapping ``(?!\\w)`` makes
    it end where the word ends)."""
    for op, av in items:
        if op is _sre_parse.LITERAL:
            if _WORD_CHAR.match(chr(av)) is None:
                return False
        elif op is _sre_parse.IN:
            for kind, arg in av:
                if kind is _sre_parse.LITERAL and _WORD_CHAR.match(chr(arg)) is not None:
                    continue
                if kind is _sre_parse.CATEGORY and arg is _sre_parse.CATEGORY_WORD:
                    continue
                if kind is _sre_parse.RANGE and all(
                    _WORD_CHAR.match(chr(code)) is not None for code in range(arg[0], arg[1] + 1)
                ):
                    continue
                return False
        elif op is _sre_parse.MAX_REPEAT or op is _sre_parse.MIN_REPEAT:
            if not _is_local(av[2]):
                return False
        elif op is _sre_parse.SUBPATTERN:
            if av[1] or av[2] or not _is_local(av[3]):
                return False
        elif op is _sre_parse.BRANCH:
            if not all(_is_local(branch) for branch in av[1]):
                return False
        else:
            return False
    return True


def _word_split(source: str) -> tuple[str, str]:
    """``source`` as ``(local branches, other branches)``, each joined by ``|`` in their order
    (:func:`_is_local`); a pattern that does not split cleanly is all "other"."""
    branches = top_branches(source)
    if "|".join(branches) != source:
        branches = (source,)
    local = [branch for branch in branches if _is_local(_sre_parse.parse(branch))]
    other = [branch for branch in branches if branch not in local]
    return "|".join(local), "|".join(other)


def _add_prefixes(
    table: dict[str, list[str]], starts: dict[str, list[str]], name: str, source: str
) -> None:
    """File ``name`` under the prefixes of ``source``: a prefix of word characters only in
    ``table``, one with another character in ``starts`` under its leading word (the word a
    match must start with exactly)."""
    for prefix in first_prefixes(source):
        cut = 0
        while cut < len(prefix) and _WORD_CHAR.match(prefix[cut]) is not None:
            cut += 1
        target, key = (table, prefix) if cut == len(prefix) else (starts, prefix[:cut])
        if name not in target.setdefault(key, []):
            target[key].append(name)


def _leading_word(text: str) -> str:
    """The ``\\w`` run ``text`` starts with."""
    match = _LEADING_WORD.match(text)
    return match.group() if match is not None else ""


_LEADING_WORD = re.compile(r"\w+")


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

    ``word_local`` holds each gated category's branches that consume word characters only,
    as one pattern (their match at a word start depends on that word alone); ``local_heads``
    and ``other_heads`` / ``other_words`` file the categories under the prefixes of those and
    of their other branches (see :meth:`entry`); ``words`` memoises :meth:`entry` per word
    form and ``regex_memo`` the markers tried with their patterns per eight-character key (both
    derived constants, bounded).
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
    markers: Mapping[str, Marker] = attrs.field(factory=dict, eq=False, repr=False)
    word_local: Mapping[str, re.Pattern[str]] = attrs.field(factory=dict, eq=False, repr=False)
    local_heads: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict, eq=False, repr=False)
    other_heads: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict, eq=False, repr=False)
    other_words: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict, eq=False, repr=False)
    words: MutableMapping[str, WordEntry] = attrs.field(factory=dict, eq=False, repr=False)
    #: The leading word (``\\w`` run) of each negator ("don" of "don't"): a negator can only
    #: stand where a word of the report is one of these. (A frozenset, declared as a Set: mypyc
    #: cannot compile an attrs field declared as a frozenset with a factory default.)
    negator_heads: AbstractSet[str] = attrs.field(factory=frozenset, eq=False, repr=False)
    regex_memo: MutableMapping[str, tuple[Marker, ...]] = attrs.field(
        factory=dict, eq=False, repr=False
    )
    #: The first characters of :attr:`negator_heads` (a frozenset, declared as a Set).
    head_initials: AbstractSet[str] = attrs.field(factory=frozenset, eq=False, repr=False)
    #: Each category's pattern split at its top-level ``|`` (:func:`.gate.top_branches`),
    #: found on the first narrowing of the category (one entry per category at most).
    split: MutableMapping[str, tuple[str, ...]] = attrs.field(factory=dict, eq=False, repr=False)

    def others(self, word: str) -> set[str]:
        """The categories with a multi-word (or otherwise not word-local) branch that may match
        at a start of ``word``: a branch prefix that is a prefix of the word, or the word itself
        followed by a character that is no word character."""
        found: set[str] = set(self.other_words.get(word, ()))
        heads = self.other_heads
        for size in range(1, min(PREFIX_LENGTH, len(word)) + 1):
            names = heads.get(word[:size])
            if names:
                found.update(names)
        return found

    def entry(self, word: str) -> WordEntry:
        """What ``word`` brings wherever it starts: the markers that match exactly it (a
        category whose only viable branches there are word-local is decided by the word, with
        no regex run on the text), whether some marker needs its pattern tried there, and the
        word's content categories. Memoised per word form (bounded)."""
        others = self.others(word)
        local: list[Marker] = []
        heads = self.local_heads
        for size in range(1, min(PREFIX_LENGTH, len(word)) + 1):
            for name in heads.get(word[:size], ()):
                if name in others:
                    continue
                marker = self.markers[name]
                if marker not in local and self.word_local[name].match(word) is not None:
                    local.append(marker)
        content = form_index().get(word, ())
        found = (
            WordEntry(tuple(local), bool(others), content)
            if local or others or content
            else NOTHING
        )
        if len(self.words) < WORD_MEMO_LIMIT:
            self.words[word] = found
        return found

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
            sources = self.split.get(marker.name)
            if sources is None:  # (the split of a long pattern is worth doing once)
                sources = self.split[marker.name] = top_branches(self.sources[marker.name])
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
    heads = frozenset(_leading_word(negator) for negator in lexicon.NEGATORS)
    prefixes = {
        name: first_prefixes(source)
        for name, source in lexicon.PATTERNS.items()
        if name not in HELPER_ONLY
    }
    markers = {name: _marker(name, patterns[name]) for name in prefixes}
    scanned = tuple(name for name, found in prefixes.items() if "" in found)
    gated = {name: found for name, found in prefixes.items() if name not in scanned}
    word_local: dict[str, re.Pattern[str]] = {}
    local_heads: dict[str, list[str]] = {}
    other_heads: dict[str, list[str]] = {}
    other_words: dict[str, list[str]] = {}
    for name in gated:
        local, other = _word_split(lexicon.PATTERNS[name])
        if local:
            word_local[name] = _wrap(local)
            _add_prefixes(local_heads, local_heads, name, local)
        if other:
            _add_prefixes(other_heads, other_words, name, other)
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
        markers=markers,
        negator_heads=heads,
        head_initials=frozenset(head[0] for head in heads if head),
        word_local=word_local,
        local_heads={key: tuple(names) for key, names in local_heads.items()},
        other_heads={key: tuple(names) for key, names in other_heads.items()},
        other_words={key: tuple(names) for key, names in other_words.items()},
    )
