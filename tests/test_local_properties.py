"""Properties of the local validator: total, deterministic, bounded, fast, thread-safe."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import esm_validate
from esm_validate import (
    ISSUE_CODES,
    PHENOMENA,
    QUALITY_LEVELS,
    Assessment,
    LocalValidator,
    ValidationConfig,
)
from esm_validate.local import SUPPORTED_LANGUAGES
from esm_validate.local.engine import analyse
from esm_validate.local.language import language_data
from esm_validate.local.report import normalise

pytestmark = pytest.mark.slow  # hypothesis over the whole local engine, timing checks

_LABELS = {name for name, _ in QUALITY_LEVELS}

_FRAGMENTS = [
    "в момент сигнала",
    "сказала себе",
    "«",
    "»",
    '"',
    "'",
    "не было",
    "без слов",
    "обычно",
    "потому что",
    "наверное",
    "at the beep",
    "i said to myself",
    "no words",
    "always",
    "because",
    "maybe",
    "my mind was blank",
    "ничего особенного",
    "🙂",
    "\n",
    "  ",
    "İ",
    "ё",
    "—",
]
_messy = st.lists(st.one_of(st.sampled_from(_FRAGMENTS), st.text(max_size=12)), max_size=30).map(
    " ".join
)


def _check(a: Assessment, text: str) -> None:
    assert isinstance(a, Assessment)
    assert 0 <= a.score <= 100
    assert a.quality in _LABELS
    assert a.phenomena <= set(PHENOMENA)
    assert set(a.issue_codes) <= set(ISSUE_CODES)
    assert a.lang in {"ru", "en"}
    assert a.feedback
    for issue in a.issues:
        if issue.span is not None:
            assert 0 <= issue.span[0] <= issue.span[1] <= len(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_any_string_gives_an_assessment(text: str) -> None:
    a = esm_validate.validate(text)
    _check(a, text)
    assert esm_validate.validate(text) == a


@settings(max_examples=300, deadline=None)
@given(_messy, st.sampled_from([None, "ru", "en"]), st.sampled_from([None, 1, 2, 3, 0, 9, -4]))
def test_report_like_strings(text: str, lang: str | None, day: int | None) -> None:
    a = esm_validate.validate(text, lang=lang, training_day=day)
    _check(a, text)
    assert esm_validate.validate(text, lang=lang, training_day=day) == a


_CORPUS_WORDS = sorted(
    {
        word
        for name in ("dev.jsonl", "heldout.jsonl")
        for line in (Path(__file__).parent / "corpus" / name).read_text("utf-8").splitlines()
        for word in json.loads(line)["text"].split()
    }
)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_CORPUS_WORDS), min_size=1, max_size=14).map(" ".join))
def test_no_praise_without_experience(text: str) -> None:
    """A report with no phenomenon and no honest blank always gets at least one issue."""
    a = esm_validate.validate(text)
    if not a.phenomena and not analyse(text, a.lang, ValidationConfig()).has("blank"):
        assert a.issues, text


def test_one_megabyte_finishes_quickly() -> None:
    """A backtracking guard: 1 MB of report-like text in seconds, not hours."""
    chunk = (
        "В момент сигнала я обычно говорила себе «ну же» — потому что, наверное, не было слов, "
        "I always said to myself 'maybe' because no words no images, my mind was blank "
    )
    text = (chunk * (1_000_000 // len(chunk) + 1))[:1_000_000]
    start = time.perf_counter()
    a = esm_validate.validate(text)
    elapsed = time.perf_counter() - start
    _check(a, text)
    # About 2 s on an idle machine, over 4 s on a loaded one; backtracking (quadratic or worse)
    # on 1 MB would take hours, so a generous bound still catches it without flaking.
    assert elapsed < 30.0


def test_one_megabyte_without_spaces_or_with_only_quotes() -> None:
    for text in ("а" * 1_000_000, "«" * 500_000 + "»" * 500_000, "' " * 500_000, "no " * 333_333):
        start = time.perf_counter()
        _check(esm_validate.validate(text), text)
        assert time.perf_counter() - start < 30.0  # seconds, not hours (see above)


_ADVERSARIAL = [
    "В момент сигнала я обычно говорила себе «ну же» — потому что, наверное, не было слов, ",
    "I always said to myself 'maybe' because no words no images, my mind was blank ",
    "а" * 50 + " ",
    "no " * 20,
    "в голове в голове в голове ",
    "the the the the ",
    "' ' « » \" ",
]


@pytest.mark.parametrize("chunk", _ADVERSARIAL)
def test_every_marker_pattern_is_linear(chunk: str) -> None:
    """No catastrophic backtracking in any lexicon regex, even over text never truncated."""
    text = normalise((chunk * (100_000 // len(chunk) + 1))[:100_000])
    for lang in SUPPORTED_LANGUAGES:
        for name, pattern in language_data(lang).patterns.items():
            start = time.perf_counter()
            sum(1 for _ in pattern.finditer(text))
            # Linear patterns take well under 0.5 s here on a quiet machine; catastrophic
            # backtracking takes minutes. 3 s keeps the guard and survives a loaded CI machine.
            assert time.perf_counter() - start < 3.0, (lang, name)


def test_thread_safety_same_results() -> None:
    texts = [
        "В момент сигнала я говорила себе: «где ключи?» — своим голосом.",
        "I usually think about work because I'm busy, probably.",
        "Залюбовалась бликом солнца на ложке.",
        "My mind was blank.",
        "Ехала в метро.",
        "No words, no images, I just knew it was late.",
    ] * 20
    expected = [esm_validate.validate(t) for t in texts]
    shared = LocalValidator()
    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(esm_validate.validate, texts))
        via_instance = list(pool.map(shared.validate, texts))
    assert got == expected
    assert via_instance == expected
    assert shared.stats()["validations"] == len(texts)
