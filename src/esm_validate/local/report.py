"""One analysed report: the normalised text, the marker hits and the helpers rules use.

:func:`scan` runs every marker pattern once over the normalised text, then drops hits that do
not count: hits inside quotes (the *content* of inner speech, not the reporter's own hedging or
generalising) and negated hits («не было никаких образов», "no words") for the categories where
negation flips the meaning. A :class:`Report` is immutable and is what a :class:`LocalRule` gets.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Mapping
from itertools import accumulate, compress, repeat
from operator import is_not
from typing import cast

import attrs

from esm_validate._types import Issue, Severity
from esm_validate.config import ValidationConfig

from .gate import PREFIX_LENGTH, first_prefixes, lookup
from .language import (
    NEGATABLE,
    NOTHING,
    WORD_MEMO_LIMIT,
    LanguageData,
    Marker,
    WordEntry,
    language_data,
    secondary_language,
)

__all__ = ["NEGATABLE", "Report", "Span", "normalise", "scan"]

#: ``(start, end)`` character offsets into the report text.
Span = tuple[int, int]

_QUOTES = re.compile(
    r"\"[^\"\n]{1,400}\"|«[^»\n]{1,400}»|„[^“”\n]{1,400}[“”]|“[^”\n]{1,400}”"
    r"|'(?<!\w')[^'\n]{1,400}'(?!\w)|‚[^‘’\n]{1,400}[‘’]|‘[^’\n]{1,400}’"
)  # every branch starts with its quote mark, so a search skips other characters quickly
#: The characters every branch of :data:`_QUOTES` starts with.
_QUOTE_MARKS = ("'", '"', "«", "„", "“", "‚", "‘")


def _may_quote(normalised: str) -> bool:
    """True when ``normalised`` has a quote mark: without one, :data:`_QUOTES` finds nothing
    (a few substring checks instead of a regex scan)."""
    for mark in _QUOTE_MARKS:  # noqa: SIM110  # (a loop: any() over a generator costs a call)
        if mark in normalised:
            return True
    return False


# The same words as r"\w+", found about 10 % faster: the repeat of a class takes sre's
# single-character fast path.
_WORD = re.compile(r"\w[\w]*")
#: :data:`_WORD` as a split pattern: the words at the odd places, what lies between at the even
_WORD_SPLIT = re.compile(r"(\w[\w]*)")
_NEXT_WORD = re.compile(r"[ \t]*[\w'-]+")
_CLAUSE_REST = re.compile(r"[^,;:.!?…\n()\"“”«»]*")
_SENTENCE = re.compile(r"[^.!?…\n]+")
_POST_NEGATION_WORDS = (
    r"не\s+было|не\s+возникал\w*|не\s+появлял\w*|не\s+слышал\w*|не\s+видел\w*|"
    r"не\s+звучал\w*|не\s+чувствовал\w*|нет\b|отсутствовал\w*|"
    r"(?:was|were)\s+(?:absent|not\s+there)|(?:wasn't|weren't)\s+there|none\b"
)
_POST_NEGATION = re.compile(rf"\s*(?:{_POST_NEGATION_WORDS})")
#: The characters a postposed negation may start with (after the spaces), or None when that
#: cannot be known: a cheap look at the text decides most checks without the regex.
_POST_PREFIXES = first_prefixes(_POST_NEGATION_WORDS)
_POST_NEGATION_FIRST: frozenset[str] | None = (
    None if "" in _POST_PREFIXES else frozenset(prefix[0] for prefix in _POST_PREFIXES)
)
#: Characters rewritten by :func:`normalise` (each to one character, so offsets hold).
_REWRITES: tuple[tuple[str, str], ...] = (
    ("ё", "е"),
    ("’", "'"),
    ("ʼ", "'"),
    ("`", "'"),
    ("\u00a0", " "),
    ("\n", " "),
    ("\r", " "),
    ("\t", " "),
    ("\f", " "),
    ("\v", " "),
    ("\u2028", " "),
    ("\u2029", " "),
)


def _rewrite(text: str) -> str:
    for old, new in _REWRITES:
        if old in text:
            text = text.replace(old, new)
    return text


def _lower_char(char: str) -> str:
    lowered = char.lower()
    return lowered if len(lowered) == 1 else char


def normalise(text: str) -> str:
    """Lower-case ``text`` keeping every character offset (so spans point into the original).

    Also writes ``ё`` as ``е``, typographic apostrophes as ``'`` and every whitespace character as
    a space (line breaks still end sentences: those are found in the original text).
    """
    lowered = text.lower()
    if len(lowered) != len(text):  # a few characters (e.g. "İ") lower-case to two
        lowered = "".join(_lower_char(c) for c in text)
    return _rewrite(lowered)


def _inside(span: Span, spans: tuple[Span, ...]) -> bool:
    start, end = span
    return any(s <= start and end <= e for s, e in spans)


@attrs.frozen
class Report:
    """An analysed report, as rules see it.

    Attributes:
        text: The original text.
        normalised: Lower-case text with the same offsets (``ё`` → ``е``, ``’`` → ``'``).
        lang: ``"ru"`` or ``"en"``.
        training_day: The effective training day (1..3; None given means the config default).
        config: The validation settings.
        hits: Marker category → spans that count (not negated, not inside quotes).
        negated: Marker category → spans cancelled by a negation.
        quotes: Spans of quoted passages (including the quote marks).
        words: Number of words.
        sentences: Spans of the sentences.
        phenomena: Phenomenon codes found (filled by the phenomenon detector).
        evidence: Phenomenon code → spans of its evidence.
    """

    text: str
    normalised: str
    lang: str
    training_day: int
    config: ValidationConfig
    hits: Mapping[str, tuple[Span, ...]]
    negated: Mapping[str, tuple[Span, ...]]
    quotes: tuple[Span, ...]
    words: int
    sentences: tuple[Span, ...]
    phenomena: frozenset[str] = frozenset()
    evidence: Mapping[str, tuple[Span, ...]] = attrs.field(factory=dict)

    @property
    def data(self) -> LanguageData:
        """Markers and messages of the report's language."""
        return language_data(self.lang)

    def has(self, category: str) -> bool:
        """True when ``category`` has at least one counting hit."""
        return bool(self.hits.get(category))

    def has_any(self, categories: tuple[str, ...]) -> bool:
        """True when any of ``categories`` has a counting hit."""
        hits = self.hits
        # (a loop: a generator in any() costs a call on Python 3.11)
        for category in categories:  # noqa: SIM110
            if hits.get(category):
                return True
        return False

    def count(self, category: str) -> int:
        """Number of counting hits of ``category``."""
        return len(self.hits.get(category, ()))

    def first(self, *categories: str) -> Span | None:
        """The earliest counting hit among ``categories``, or None."""
        # Each category's spans are sorted (found left to right), so its first is its earliest.
        earliest: Span | None = None
        for category in categories:
            spans = self.hits.get(category)
            if spans and (earliest is None or spans[0] < earliest):
                earliest = spans[0]
        return earliest

    def quote(self, span: Span | None, limit: int = 60) -> str:
        """The participant's own words at ``span``, whole words only: a longer piece is cut at the
        last word boundary within ``limit`` characters and ends with "…"."""
        if span is None:
            return ""
        piece = " ".join(self.text[span[0] : span[1]].split())
        if len(piece) <= limit:
            return piece
        cut = piece[:limit]
        if piece[limit] != " ":  # the limit falls inside a word: drop it
            cut = cut.rsplit(" ", 1)[0] if " " in cut else cut
        return cut.rstrip(" ,;:-—–") + "…"

    def extend_clause(self, span: Span) -> Span:
        """``span`` stretched to the end of its clause (the next comma, stop or bracket), so that
        a quote never ends in the middle of a phrase ("an inner" → "an inner voice that...")."""
        match = _CLAUSE_REST.match(self.text, span[1])
        end = match.end() if match is not None else span[1]
        while end > span[1] and self.text[end - 1].isspace():
            end -= 1
        return (span[0], end)

    def extend_words(self, span: Span, words: int) -> Span:
        """``span`` stretched over up to ``words`` following words of the same clause."""
        end = span[1]
        for _ in range(words):
            match = _NEXT_WORD.match(self.normalised, end)
            if match is None:
                break
            end = match.end()
        return (span[0], end)

    def sentence_of(self, position: int) -> Span:
        """The span of the sentence that contains ``position``."""
        return sentence_at(self.sentences, position)

    def message(self, code: str, span: Span | None = None) -> str:
        """The report-language message of a built-in issue code, quoting the evidence."""
        template = language_data(self.lang).issues.get(code, code)
        text = self.quote(span) if span else ""
        if "{quote}" in template and not text:
            template = template.replace("“{quote}” ", "").replace("«{quote}» ", "")
            template = template[:1].upper() + template[1:]
        return template.replace("{quote}", text)

    def issue(
        self, code: str, span: Span | None = None, severity: Severity = Severity.WARNING
    ) -> Issue:
        """Build an :class:`Issue` with the catalogue message for ``code``."""
        return Issue(code, self.message(code, span), severity, span)  # positional: quicker


def sentence_at(sentences: tuple[Span, ...], position: int) -> Span:
    """The span among ``sentences`` containing ``position`` (``(position, position)`` if none)."""
    for span in sentences:
        if span[0] <= position < span[1]:
            return span
    return (position, position)


def hit_in(hits: Mapping[str, tuple[Span, ...]], names: tuple[str, ...], span: Span) -> bool:
    """True when a hit of one of the categories ``names`` starts within ``span`` (its end
    excluded)."""
    start, end = span
    for name in names:  # (loops: a generator in any() costs a call on Python 3.11)
        for s, _ in hits.get(name, ()):
            if start <= s < end:
                return True
    return False


_BREAK_CHARS = frozenset(".!?;,:—–()")
_STRIP = ".,;:!?()—–\"'«»„“”"


def _negated(normalised: str, span: Span, data: LanguageData) -> bool:
    """True when a negator is among the three words before ``span`` in its clause, or a
    postposed negation follows it («образов не было», "images: none")."""
    start, end = span
    window = start - 32 if start > 32 else 0
    # The words checked lie in the window: without a negator anywhere in it, none is a negator.
    if data.negator_inside.search(normalised, window, start) is not None:
        for word in reversed(normalised[window:start].split()[-3:]):
            if word[-1] in _BREAK_CHARS:
                break
            bare = word.strip(_STRIP)
            if bare in data.negators:
                return True
            if bare in data.conjunctions:
                break
    return _negated_after(normalised, end)


def _negated_after(normalised: str, end: int) -> bool:
    """True when a postposed negation follows ``end`` («образов не было», "images: none")."""
    if _POST_NEGATION_FIRST is not None:
        # The regex starts with \s*, so the first other character must begin a negation; a
        # single space is stepped over here, anything else spacy is left to the regex.
        after = normalised[end : end + 1]
        if after == " ":
            after = normalised[end + 1 : end + 2]
        if after not in _POST_NEGATION_FIRST and not after.isspace():
            return False
    return _POST_NEGATION.match(normalised, end, end + 24) is not None  # endpos is clamped


def _negated_habit(normalised: str, span: Span, data: LanguageData) -> bool:
    """True for "not usually", «не всегда», "don't always": the habit marker is itself negated."""
    before = normalised[max(0, span[0] - 12) : span[0]].split()
    if not before:
        return False
    return data.patterns["generalization_negator"].search(" ".join(before[-2:])) is not None


#: How each :attr:`Marker.negation` kind decides that a hit is negated.
_NEGATION_CHECKS: dict[str, Callable[[str, Span, LanguageData], bool]] = {
    "habit": _negated_habit,
    "scope": _negated,
}


def _quote_mask(length: int, quotes: tuple[Span, ...]) -> bytearray:
    """One byte per character: 1 inside a quotation (a quick pre-check before :func:`_inside`)."""
    mask = bytearray(length)
    for start, end in quotes:
        mask[start:end] = b"\x01" * (end - start)
    return mask


def _collect(
    normalised: str,
    data: LanguageData,
    quotes: tuple[Span, ...],
    quoted: bytearray | None,
    words: list[str],
    starts: list[int],
    content: bool,
) -> tuple[dict[str, tuple[Span, ...]], dict[str, tuple[Span, ...]]]:
    """One pass over the words, left to right, filing the marker hits (and, when ``content``,
    the content words' ``c_*`` hits).

    Each word form's :class:`.language.WordEntry` (memoised) says what it brings: the markers
    decided by the word alone, whether other markers' patterns must be tried where it starts,
    and its content categories; most words bring nothing and are skipped in C. Per category
    this is ``finditer`` restricted to word starts: a category is not tried again before the
    end of its previous match, so its hits never overlap. Hits inside a quotation are dropped
    (the content of inner speech, not the reporter's own words).
    """
    # Spans are filed straight into tuples: most categories get one hit, so growing a tuple
    # is cheaper than filling lists and copying them into tuples for the Report afterwards.
    hits: dict[str, tuple[Span, ...]] = {}
    negated: dict[str, tuple[Span, ...]] = {}
    reached: dict[str, int] = {}
    found = list(map(data.words.get, words))
    if None in found:  # word forms not seen before: their entries are worked out once
        entry = data.entry
        entries = [
            known if known is not None else entry(word)
            for known, word in zip(found, words, strict=True)
        ]
    else:
        entries = cast("list[WordEntry]", found)
    regex_memo = data.regex_memo
    heads: dict[str, list[int]] = {}  # where negator words may start, per language
    for position in compress(range(len(words)), map(is_not, entries, repeat(NOTHING))):
        local, regex, categories = entries[position]
        start = starts[position]
        if regex:
            key = normalised[start : start + PREFIX_LENGTH]
            markers = regex_memo.get(key)
            if markers is None:
                markers = _regex_markers(normalised, start, key, words[position], data)
            for marker in markers:
                name, _, match_at, negation, _ = marker
                if name in reached and start < reached[name]:
                    continue
                match = match_at(normalised, start)
                if match is None:
                    continue
                span = match.span()
                reached[name] = span[1]
                # (the first byte of the quote mask is _in_quote's own first test, saving a call)
                if (
                    quoted is not None
                    and quoted[span[0]]
                    and _in_quote(marker, span, quoted, quotes)
                ):
                    continue
                if negation and (
                    _scope_negated(normalised, span, data, words, starts, heads)
                    if negation == "scope"
                    else _negated_habit(normalised, span, data)
                ):
                    negated[name] = negated[name] + (span,) if name in negated else (span,)
                else:
                    hits[name] = hits[name] + (span,) if name in hits else (span,)
        if local:
            span = (start, start + len(words[position]))
            for marker in local:
                name = marker.name
                if name in reached and start < reached[name]:
                    continue
                reached[name] = span[1]
                if quoted is not None and quoted[start] and _in_quote(marker, span, quoted, quotes):
                    continue
                negation = marker.negation
                if negation and (
                    _scope_negated(normalised, span, data, words, starts, heads)
                    if negation == "scope"
                    else _negated_habit(normalised, span, data)
                ):
                    negated[name] = negated[name] + (span,) if name in negated else (span,)
                else:
                    hits[name] = hits[name] + (span,) if name in hits else (span,)
        if categories and content:
            span = (start, start + len(words[position]))
            if quoted is not None and quoted[start] and _inside(span, quotes):
                continue
            no = _scope_negated(
                normalised, span, _content_language(words[position]), words, starts, heads
            )
            target = negated if no else hits
            for name in categories:
                target[name] = target[name] + (span,) if name in target else (span,)
    for marker in data.scanned:  # categories that may start anywhere: tried wherever they match
        end = 0
        name = marker.name
        for start in [m.start() for m in marker.pattern.finditer(normalised)]:
            if start >= end:
                match = marker.match(normalised, start)
                if match is not None:
                    span = match.span()
                    end = span[1]
                    if quoted is not None and _in_quote(marker, span, quoted, quotes):
                        continue
                    if marker.negation and _NEGATION_CHECKS[marker.negation](
                        normalised, span, data
                    ):
                        negated[name] = negated[name] + (span,) if name in negated else (span,)
                    else:
                        hits[name] = hits[name] + (span,) if name in hits else (span,)
    return hits, negated


def _regex_markers(
    normalised: str, start: int, key: str, word: str, data: LanguageData
) -> tuple[Marker, ...]:
    """The markers whose patterns are tried where ``word`` starts (``key``: the eight
    characters there): those :func:`.gate.lookup` lets through, narrowed, less the ones decided
    by the word alone (:meth:`.language.LanguageData.entry`). Memoised per key (bounded; a key
    with a run of spaces is not, since the gate reads past it)."""
    whole = data.memo.get(key)
    if whole is None:
        whole = lookup(normalised, start, data.by_prefix, data.memo, data.narrow)
    others = data.others(word)
    found = tuple(marker for marker in whole if marker.name in others)
    if "  " not in key and len(data.regex_memo) < WORD_MEMO_LIMIT:
        data.regex_memo[key] = found
    return found


def _in_quote(marker: Marker, span: Span, quoted: bytearray, quotes: tuple[Span, ...]) -> bool:
    return bool(
        quoted[span[0]] and quoted[span[1] - 1] and not marker.in_quotes and _inside(span, quotes)
    )


def _merge(
    target: dict[str, tuple[Span, ...]], extra: dict[str, tuple[Span, ...]]
) -> dict[str, tuple[Span, ...]]:
    """``target`` with the spans of ``extra`` added (each category's spans sorted, no repeats)."""
    for name, spans in extra.items():
        target[name] = tuple(sorted(set(target.get(name, ())) | set(spans)))
    return target


_SPAN = re.Match.span


def _scope_negated(
    normalised: str,
    span: Span,
    data: LanguageData,
    words: list[str],
    starts: list[int],
    heads: dict[str, list[int]],
) -> bool:
    """:func:`_negated`, with the words before ``span`` looked at only when one of them may be
    a negator: a report word among ``data.negator_heads`` starts in the 32 characters before
    the hit, or the window's first word is cut there to such a word («мне» → «не»).
    ``heads`` keeps, per language, where those words start (found once per report)."""
    near = heads.get(data.code)
    if near is None:
        found = data.negator_heads
        # (most reports have none of these words: one set operation tells, without a pass)
        near = heads[data.code] = (
            []
            if found.isdisjoint(words)
            else list(compress(starts, map(found.__contains__, words)))
        )
    start = span[0]
    window = start - 32 if start > 32 else 0
    if near:
        first = bisect.bisect_left(near, window)
        if first < len(near) and near[first] < start:
            return _negated(normalised, span, data)
    # A cut word ends in a negator only when one starts at the window's first character.
    if window and normalised[window] in data.head_initials:
        at = bisect.bisect_right(starts, window) - 1  # the word the window may cut
        if (
            at >= 0
            and starts[at] < window < starts[at] + len(words[at])
            and words[at][window - starts[at] :] in data.negator_heads
        ):
            return _negated(normalised, span, data)
    return _negated_after(normalised, span[1])  # only a postposed negation can apply


def _content_language(word: str) -> LanguageData:
    """The language whose negation rules apply to the content word ``word`` (its script's)."""
    return language_data("ru" if "\u0400" <= word[0] <= "\u04ff" else "en")


#: Marks that are never word characters and often stand next to words: written as spaces in a
#: copy of the text, they leave the words as the parts of a split at single spaces.
_SEPARATORS = (",", ".", "-", "'", "!", "?", ":", ";", '"', "«", "»", "—", "–", "…", "(", ")", "/")


def _words(normalised: str) -> tuple[list[str], list[int]]:
    """The words of ``normalised`` (:data:`_WORD`) and where each starts.

    The common marks (:data:`_SEPARATORS`) are written as spaces (same offsets), and the text is
    split at single spaces: when every part is empty or alphanumeric (``str.isalnum`` is exactly
    ``\\w`` without ``_``), the non-empty parts are the words, each starting where the running
    sum of the parts' lengths (plus one per space) says. Otherwise (an ``_``, an emoji, another
    mark) one regex split decides. No match object is made, and the common case has no regex
    pass over the text (about a fifth of a tokenising pass's cost).
    """
    spaced = normalised
    for mark in _SEPARATORS:
        if mark in spaced:
            spaced = spaced.replace(mark, " ")
    parts = spaced.split(" ")
    if "".join(parts).isalnum():
        # (a plain loop: quicker than itertools' accumulate and compress over a few dozen parts)
        words: list[str] = []
        starts: list[int] = []
        position = 0
        for part in parts:
            if part:
                words.append(part)
                starts.append(position)
            position += len(part) + 1
        return words, starts
    parts = _WORD_SPLIT.split(normalised)
    return parts[1::2], list(accumulate(map(len, parts)))[0:-1:2]


def scan(
    text: str, lang: str
) -> tuple[
    str,
    dict[str, tuple[Span, ...]],
    dict[str, tuple[Span, ...]],
    tuple[Span, ...],
    int,
    tuple[Span, ...],
    bool,
]:
    """The parts of a :class:`Report` found in ``text`` before phenomena: ``(normalised, hits,
    negated, quotes, words, sentences)`` (what :func:`.engine.analyse` wraps into a Report),
    and whether a word may hold a digit.

    Besides the marker patterns, the words of the content lexicons are filed as ``c_*`` hits
    (:func:`.morphology.form_index`).
    """
    normalised = normalise(text)
    quotes = tuple(map(_SPAN, _QUOTES.finditer(normalised))) if _may_quote(normalised) else ()
    words, starts = _words(normalised)
    # (one quote mask for every pass: a quick pre-check before _inside)
    quoted = _quote_mask(len(normalised), quotes) if quotes else None
    hits, negated = _collect(normalised, language_data(lang), quotes, quoted, words, starts, True)
    other = secondary_language(normalised, lang)
    if other is not None:  # a mixed report: the other language's markers count too
        more_hits, more_negated = _collect(
            normalised, language_data(other), quotes, quoted, words, starts, False
        )
        hits = _merge(hits, more_hits)
        negated = _merge(negated, more_negated)
    sentences = tuple(map(_SPAN, _SENTENCE.finditer(text)))
    # A digit (\d) is a word character: words of letters only have none, and a search for
    # numbers (:func:`.content.content_hits`) can be skipped (a check of a few thousand
    # instructions instead of a regex scan of some forty thousand).
    digits = not "".join(words).isalpha()
    return normalised, hits, negated, quotes, len(starts), sentences, digits
