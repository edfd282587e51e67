"""Word forms of the content lexicons: every inflection of every lemma, found ahead of time.

The content lexicons (:mod:`.lexicon_content`) list *lemmas* («пахнуть», «плечо», "tingle").
Matching a report's words against them needs the lemma of each word, or every form of each
lemma. Analysing words at run time (pymorphy3 for Russian) costs 40-180 µs per new word form,
some 1.5-6 ms per report with a cold cache; so the forms are generated once, by the
maintainers, into :mod:`.lexicon_forms`, and at run time a word's categories are one dictionary
look-up (:func:`form_index`). Nothing is analysed, downloaded or cached while validating. The
index also maps each form of five letters or more with two neighbouring letters swapped
(:func:`transpositions`) to the same categories: a typed typo keeps its content.

Regenerate after editing a lexicon (needs the ``dev`` extra, which has pymorphy3 and its
Russian dictionary)::

    python -m esm_validate.local.morphology > src/esm_validate/local/lexicon_forms.py

Russian forms are pymorphy3's lexemes of each lemma (``ё`` written ``е``); English forms come
from regular inflection rules (:func:`english_forms`): over-generating a non-word is harmless,
since it never occurs in a report.
"""

from __future__ import annotations

import functools
import textwrap
from collections.abc import Iterable, Mapping
from typing import Any

from .lexicon_content import EN_WORDS, RU_LEMMAS

__all__ = [
    "build_forms",
    "english_forms",
    "form_index",
    "render",
    "russian_adverb",
    "russian_forms",
    "transpositions",
]

_VOWELS = frozenset("aeiou")
#: The English categories whose words are nouns (inflected by number only).
_NOUNS = frozenset({"body_part", "matter"})


def english_forms(word: str) -> set[str]:
    """Regular inflections of an English word: plural and 3rd person, past, -ing, -ly, -y,
    comparative and superlative, with the usual spelling rules (drop e, y→i, doubling)."""
    forms = {word}
    if word.endswith(("ing", "ness", "ment")):
        forms.add(word + "s")
        if word.endswith("ing"):
            forms |= {word[:-3], word[:-3] + "e"}
        return forms
    if word.endswith("e"):
        stem = word[:-1]
        forms |= {word + "s", word + "d", stem + "ing", word + "r", word + "st", stem + "y"}
        forms.add(word + "ly")
    elif word.endswith("y") and len(word) > 2 and word[-2] not in _VOWELS:
        stem = word[:-1]
        forms |= {stem + "ies", stem + "ied", word + "ing", stem + "ier", stem + "iest"}
        forms |= {stem + "ily", stem + "iness"}
    else:
        forms |= {word + "s", word + "es", word + "ed", word + "ing", word + "er", word + "est"}
        forms |= {word + "ly", word + "y", word + "ness"}
        if (
            len(word) >= 3
            and word[-1] not in _VOWELS
            and word[-1] not in "wxy"
            and word[-2] in _VOWELS
            and word[-3] not in _VOWELS
        ):
            double = word + word[-1]
            forms |= {double + "ed", double + "ing", double + "er", double + "y"}
    return forms


def russian_forms(lemma: str, morph: Any) -> set[str]:
    """Every form of ``lemma`` in pymorphy3's dictionary (``ё`` written ``е``).

    Only the lexemes whose lemma *is* ``lemma`` count («ком» the lump, not «ком» of «кто»). A
    participle or an adverb listed as such («пульсирующий», «солено»), which is no lemma of its
    own, has the forms of its first parse's part of speech only.
    """
    found: set[str] = {lemma}
    parses = morph.parse(lemma)
    own = [parse for parse in parses if parse.normal_form.replace("ё", "е") == lemma]
    for parse in own:
        found |= {form.word.replace("ё", "е") for form in parse.lexeme}
    if not own:
        for parse in parses:
            if parse.word.replace("ё", "е") == lemma:
                pos = parse.tag.POS
                found |= {
                    form.word.replace("ё", "е") for form in parse.lexeme if pos == form.tag.POS
                }
                break
    return found


def russian_adverb(lemma: str, morph: Any) -> str | None:
    """The adverb or predicative of a quality adjective in pymorphy3's dictionary, if any
    («щекотный» → «щекотно», «липкий» → «липко»: "щекотно в носу" names the quality too);
    not of a participle («ноющий»)."""
    if not lemma.endswith(("ый", "ий", "ой")) or lemma.endswith("щий"):
        return None
    for candidate in (lemma[:-2] + "о", lemma[:-2] + "е"):
        if morph.word_is_known(candidate) and any(
            parse.tag.POS in ("ADVB", "PRED") for parse in morph.parse(candidate)
        ):
            return candidate
    return None


def build_forms(morph: Any) -> dict[str, dict[str, set[str]]]:
    """Language → category → all word forms of the category's lemmas (and, for a sensory
    quality, its adverb: :func:`russian_adverb`)."""
    ru: dict[str, set[str]] = {}
    for category, lemmas in RU_LEMMAS.items():
        forms: set[str] = set()
        for lemma in lemmas:
            forms |= russian_forms(lemma.replace("ё", "е"), morph)
            adverb = russian_adverb(lemma, morph) if category == "quality" else None
            if adverb is not None:
                forms.add(adverb)
        ru[category] = forms
    en: dict[str, set[str]] = {}
    for category, words in EN_WORDS.items():
        forms = set()
        for word in words:
            # (a part of the body or a substance is a noun: its plural only, so that "early",
            # "army" and "shiny" are not taken for an ear, an arm and a shin)
            forms |= {word, word + "s", word + "es"} if category in _NOUNS else english_forms(word)
        en[category] = forms
    return {"ru": ru, "en": en}


def render(forms: Mapping[str, Mapping[str, Iterable[str]]]) -> str:
    """The source of :mod:`.lexicon_forms` for ``forms`` (sorted, wrapped, deterministic)."""
    lines = [
        '"""Generated by ``python -m esm_validate.local.morphology``: do not edit by hand.',
        "",
        "Every form of every lemma of :mod:`.lexicon_content`, per language and category, as",
        'space-separated words (see :mod:`.morphology`)."""',
        "",
        "from __future__ import annotations",
        "",
        "from typing import Final",
        "",
        '__all__ = ["FORMS"]',
        "",
        "FORMS: Final[dict[str, dict[str, str]]] = {",
    ]
    for lang in sorted(forms):
        lines.append(f'    "{lang}": {{')
        for category in sorted(forms[lang]):
            body = textwrap.fill(
                " ".join(sorted(forms[lang][category])),
                width=92,
                initial_indent="            ",
                subsequent_indent="            ",
                break_long_words=False,
                break_on_hyphens=False,
            )
            lines.append(f'        "{category}": """')
            lines.append(body)
            lines.append('        """,')
        lines.append("    },")
    lines.append("}")
    return "\n".join(lines) + "\n"


@functools.cache
def form_index() -> dict[str, tuple[str, ...]]:
    """Word form → the hit categories (``c_<category>``) it files, both languages in one map
    (a Cyrillic and a Latin form never collide). Built once from the generated table: derived
    constants only, shared read-only."""
    from .lexicon_forms import FORMS

    index: dict[str, list[str]] = {}
    for table in FORMS.values():
        for category, words in table.items():
            for word in words.split():
                index.setdefault(word, []).append("c_" + category)
    found = {word: tuple(categories) for word, categories in index.items()}
    typos: dict[str, tuple[str, ...]] = {}
    for word, categories in found.items():
        # (a substance's typo is too often another noun: "slates" from the form "saltes")
        kept = tuple(category for category in categories if category != "c_matter")
        for typo in transpositions(word) if kept else ():
            if typo not in found:
                typos.setdefault(typo, kept)
    typos.update(found)
    return typos


def transpositions(word: str) -> list[str]:
    """``word`` with two neighbouring letters swapped, the first letter kept (the most common
    typo of a phone keyboard: "cilck", «хлоодные»), for words of five letters or more."""
    if len(word) < 5:
        return []
    return [
        word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        for i in range(1, len(word) - 1)
        if word[i] != word[i + 1]
    ]


def main() -> None:
    """Print :mod:`.lexicon_forms` regenerated from the lexicons (needs pymorphy3)."""
    import pymorphy3

    print(render(build_forms(pymorphy3.MorphAnalyzer(lang="ru"))), end="")


if __name__ == "__main__":
    main()
