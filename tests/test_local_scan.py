"""The scan's word pass finds what trying every marker pattern at every word start finds.

:func:`esm_validate.local.report.scan` decides some markers by the word alone (their
word-local branches, :meth:`.LanguageData.entry`) and tries the others' patterns only where
their prefixes allow. These tests compare it with the plain definition on the corpus: each
category's whole pattern tried at each word start, left to right, never before the end of its
previous hit.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from esm_validate.local.gate import top_branches
from esm_validate.local.language import (
    NOTHING,
    detect_language,
    language_data,
    secondary_language,
)
from esm_validate.local.report import (
    _NEGATION_CHECKS,
    _QUOTES,
    Span,
    _in_quote,
    _inside,
    _quote_mask,
    _words,
    normalise,
    scan,
)

_CORPUS = Path(__file__).parent / "corpus"


def _texts() -> list[str]:
    return [
        json.loads(line)["text"]
        for name in ("dev.jsonl", "heldout.jsonl")
        for line in (_CORPUS / name).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


def _plain_scan(
    text: str, lang: str
) -> tuple[dict[str, tuple[Span, ...]], dict[str, tuple[Span, ...]]]:
    """Every category of ``lang``: its whole pattern tried at every word start."""
    normalised = normalise(text)
    data = language_data(lang)
    quotes = tuple(m.span() for m in _QUOTES.finditer(normalised))
    quoted = _quote_mask(len(normalised), quotes)
    starts = [m.start() for m in re.finditer(r"\w+", normalised)]
    hits: dict[str, tuple[Span, ...]] = {}
    negated: dict[str, tuple[Span, ...]] = {}
    for name in data.prefixes:
        marker = data.markers[name]
        reached = 0
        for start in starts:
            if start < reached:
                continue
            match = marker.match(normalised, start)
            if match is None:
                continue
            span = match.span()
            reached = span[1]
            if _in_quote(marker, span, quoted, quotes):
                continue
            cancelled = marker.negation and _NEGATION_CHECKS[marker.negation](
                normalised, span, data
            )
            target = negated if cancelled else hits
            target[name] = (*target.get(name, ()), span)
    return hits, negated


def _markers_only(found: dict[str, tuple[Span, ...]]) -> dict[str, tuple[Span, ...]]:
    return {name: spans for name, spans in found.items() if not name.startswith("c_")}


def test_scan_finds_what_every_pattern_at_every_word_start_finds() -> None:
    compared = 0
    for text in _texts():
        lang = detect_language(text)
        _, hits, negated, *_ = scan(text, lang)
        if any(not name.startswith("c_") for name in (*hits, *negated)):
            compared += 1
        if secondary_language(normalise(text), lang) is not None:
            continue  # a mixed report also gets the other language's markers
        expected_hits, expected_negated = _plain_scan(text, lang)
        assert _markers_only(hits) == expected_hits, text
        assert _markers_only(negated) == expected_negated, text
    assert compared > 150


@pytest.mark.parametrize(
    "extra",
    [
        "",
        "snake_case word",
        "emoji😀inside",
        "a\u2003b  c",
        "серо-зелёные, «так»!",
        "İstanbul",
        "№5",
    ],
)
def test_words_are_the_word_character_runs(extra: str) -> None:
    """The quick split (marks written as spaces) finds what ``\\w+`` finds, at the same places."""
    for text in [*_texts()[:200], extra]:
        normalised = normalise(text)
        words, starts = _words(normalised)
        found = list(re.finditer(r"\w+", normalised))
        assert words == [m.group() for m in found], text
        assert starts == [m.start() for m in found], text


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_the_kept_branch_splits_are_the_patterns_own(lang: str) -> None:
    """The narrowing keeps each category's top-level split once: it is that pattern's split."""
    for text in _texts()[:300]:
        scan(text, lang)
    data = language_data(lang)
    assert data.split
    for name, branches in data.split.items():
        assert branches == top_branches(data.sources[name]), name


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_word_decided_markers_match_like_the_whole_pattern(lang: str) -> None:
    """Where a word's entry decides a marker (no other branch may start there), the whole
    pattern matches exactly that word when the entry says so, and nowhere else."""
    data = language_data(lang)
    decided = 0
    for text in map(normalise, _texts()):
        for word in re.finditer(r"\w+", text):
            entry = data.entry(word.group())
            others = data.others(word.group())
            for name in data.prefixes:
                if name in others:
                    continue
                marker = data.markers[name]
                match = marker.match(text, word.start())
                if marker in entry.local:
                    assert match is not None, (name, text)
                    assert match.span() == word.span(), (name, text)
                    decided += 1
                else:
                    assert match is None, (name, word.group(), text)
    assert decided > 100


def test_a_word_that_brings_nothing_shares_one_entry() -> None:
    data = language_data("en")
    assert data.entry("zzzz") is NOTHING
    always = data.entry("always")  # a generalisation, decided by the word alone
    assert [marker.name for marker in always.local] == ["generalization"]
    assert not always.regex
    the = data.entry("the")  # "the beep", "the whole day": patterns tried where it starts
    assert not the.local
    assert the.regex


def test_the_word_memo_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    import esm_validate.local.language as language

    data = language_data("en")
    monkeypatch.setattr(language, "WORD_MEMO_LIMIT", len(data.words))
    before = len(data.words)
    for number in range(50):
        data.entry(f"neverseenword{number}x")
    assert len(data.words) == before


def test_quoted_and_negated_words_stay_apart() -> None:
    _, hits, negated, quotes, *_ = scan("I noticed 'the blue mug' and no red light.", "en")
    assert quotes
    assert not any(_inside(span, quotes) for spans in hits.values() for span in spans)
    assert "sensory_quality" in negated or "c_colour" in negated


@pytest.mark.parametrize(
    ("text", "cancelled"),
    [
        # the 32-character window before "заметил" starts inside «мне», at «не»: the negation
        # check has always read that piece as a negator (kept, so that output does not move)
        ("вот мне " + "а" * 13 + " " + "б" * 14 + " заметил", True),
        ("вот мя " + "а" * 13 + " " + "б" * 14 + " заметил", False),
        ("не " + "а" * 13 + " заметил", True),
        ("I did not notice", True),
        ("I don't feel anything", True),
    ],
)
def test_negation_reads_the_words_before_a_hit(text: str, cancelled: bool) -> None:
    lang = detect_language(text)
    _, hits, negated, *_ = scan(text, lang)
    assert _markers_only(negated) == _plain_scan(text, lang)[1]
    assert bool(_markers_only(negated)) is cancelled
    assert bool(_markers_only(hits)) is not cancelled
