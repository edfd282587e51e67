"""Generate CheckList cases (Ribeiro et al., ACL 2020) from templates x lexicons, in RU and EN.

Three kinds of test, each grouped by capability:

- ``mft`` (minimum functionality): one report and what the validator must say about it (a
  phenomenon found, an issue code raised, a score above or below a mark).
- ``inv`` (invariance): a report and a perturbed copy (lower case, a typo, an emoji, ...) whose
  scores must stay within :data:`INVARIANCE_POINTS` points and on the same side of the pass mark.
- ``dir`` (directional): a report and an edited copy whose score must go down (a hedge, "as always",
  "because ...") or up (one concrete sensory detail).

Every case is a frozen value; generation is a pure function (sampling uses ``random.Random`` seeded
by the capability name), so the same cases come out on every run and machine.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Iterator, Sequence
from types import ModuleType

import attrs

from . import lexicon_en, lexicon_ru

#: The score at or above which a report passes (the day-3 pass mark).
PASS_MARK = 70
#: How far a score may move under a perturbation that changes nothing a DES interviewer cares about.
INVARIANCE_POINTS = 5
#: Upper bound on the cases of one capability (sampled deterministically when more are generated).
MAX_CASES = 160

LEXICONS: dict[str, ModuleType] = {"en": lexicon_en, "ru": lexicon_ru}


@attrs.frozen
class Expect:
    """What a case checks.

    Attributes:
        check: ``phenomenon``, ``no_phenomenon``, ``issue``, ``no_issue``, ``no_strengths``,
            ``min_score``, ``max_score`` (one report);
            ``invariant``, ``lower``, ``higher`` (the second report against the first).
        arg: The phenomenon or issue code, or the score mark.
    """

    check: str
    arg: str | int = ""


@attrs.frozen
class Case:
    """One behavioural test case.

    Attributes:
        capability: The capability key, ``kind/name/.../lang`` (one row of the floor table).
        lang: ``ru`` or ``en``.
        text: The report (the base report for ``inv`` and ``dir``).
        expect: What must hold.
        other: The perturbed or edited report (``inv`` and ``dir`` only).
    """

    capability: str
    lang: str
    text: str
    expect: Expect
    other: str | None = None


# templates: (phenomenon, form) -> how an item becomes a report


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _end(text: str) -> str:
    return text if text.endswith((".", "!", "?", "»", '"', "'")) else text + "."


def _en_templates() -> dict[tuple[str, str], tuple[Sequence[object], Sequence[str]]]:
    """(phenomenon, form) -> (items, templates); ``{x}`` is the item, ``{a}`` an activity."""
    en = lexicon_en
    feelings = [f"{emo}|{body}" for emo, body in en.FEELINGS]
    return {
        ("sensory_awareness", "telegraphic"): (en.SENSORY, ["{x}", "{X}.", "{x} 🙂"]),
        ("sensory_awareness", "framed"): (
            en.SENSORY,
            ["At the beep I noticed {x}.", "Right before the beep I was focused on {x}."],
        ),
        ("sensory_awareness", "narrative"): (
            en.SENSORY,
            ["{A}, and {x}.", "Was {a} when it beeped: {x}."],
        ),
        ("bodily", "telegraphic"): (en.BODILY, ["{x}", "{X}.", "{x}, right at the beep"]),
        ("bodily", "framed"): (
            en.BODILY,
            ["At the beep I was aware of {x}.", "Just before the beep I noticed {x}."],
        ),
        ("bodily", "narrative"): (en.BODILY, ["{A}, and {x}.", "Was {a} when it beeped: {x}."]),
        ("inner_speech", "telegraphic"): (
            en.INNER_WORDS,
            [
                "'{x}' in my own voice",
                'my voice in my head: "{x}"',
                '"{x}!" in my head',
                "in my head: {x}",
                '"{x}", inside, not out loud',
            ],
        ),
        ("inner_speech", "framed"): (
            en.INNER_WORDS,
            [
                "At the beep I was saying to myself '{x}'.",
                'Right before the beep I told myself "{x}" in my own voice.',
            ],
        ),
        ("inner_speech", "narrative"): (
            en.INNER_WORDS,
            ["Was {a} and in my head my own voice went '{x}', a bit annoyed."],
        ),
        ("inner_seeing", "telegraphic"): (
            en.IMAGES,
            ["picture of {x}", "{x}, very clear, though I'm at work", "image: {x}"],
        ),
        ("inner_seeing", "framed"): (
            en.IMAGES,
            ["In my mind's eye I saw {x}.", "At the beep I was picturing {x}."],
        ),
        ("inner_seeing", "narrative"): (
            en.IMAGES,
            ["Was {a} and suddenly I see {x}, as if I were there."],
        ),
        ("inner_hearing", "telegraphic"): (
            en.HEARD,
            ["{x} looping in my head", "{X}, playing in my head"],
        ),
        ("inner_hearing", "framed"): (
            en.HEARD,
            ["At the beep I was hearing {x} in my head, not out loud."],
        ),
        ("inner_hearing", "narrative"): (
            en.HEARD,
            ["Was {a}, and {x} kept replaying in my head."],
        ),
        ("unsymbolized_thinking", "telegraphic"): (
            en.WORDLESS,
            ["knowing that {x}, no words, no images", "a sense that {x}, wordless"],
        ),
        ("unsymbolized_thinking", "framed"): (
            en.WORDLESS,
            ["At the beep I was thinking that {x}, but without any words or pictures."],
        ),
        ("unsymbolized_thinking", "narrative"): (
            en.WORDLESS,
            ["Was {a} and it struck me that {x}: just a knowing, no words."],
        ),
        ("feeling", "telegraphic"): (feelings, ["{e}, {b}", "{E}. {B}."]),
        ("feeling", "framed"): (feelings, ["At the beep I felt {e}, {b}."]),
        ("feeling", "narrative"): (feelings, ["Was {a} and felt a wave of {e}, {b}."]),
        ("just_doing", "telegraphic"): (
            en.ACTIVITIES,
            ["just {x}, nothing else", "{x}. nothing else", "{x}, no thoughts, nothing in there"],
        ),
        ("just_doing", "framed"): (
            en.ACTIVITIES,
            ["At the beep I was just {x}, nothing else in my experience, no thoughts or feelings."],
        ),
        ("just_doing", "narrative"): (
            en.ACTIVITIES,
            ["{X}. Only that at the beep, nothing else in my experience."],
        ),
    }


def _ru_templates() -> dict[tuple[str, str], tuple[Sequence[object], Sequence[str]]]:
    ru = lexicon_ru
    feelings = [f"{emo}|{body}" for emo, body in ru.FEELINGS]
    framed = [f"{frame} {{x}}." for frame in ru.ATTENTION]
    return {
        ("sensory_awareness", "telegraphic"): (ru.SENSORY, ["{x}", "{X}.", "{x} 🙂"]),
        ("sensory_awareness", "framed"): (ru.SENSORY, framed),
        ("sensory_awareness", "narrative"): (ru.SENSORY, ["{A}, и тут {x}.", "{A}: {x}."]),
        ("bodily", "telegraphic"): (ru.BODILY, ["{x}", "{X}.", "{x}, прямо на сигнале"]),
        ("bodily", "framed"): (ru.BODILY, framed),
        ("bodily", "narrative"): (ru.BODILY, ["{A}, и тут {x}.", "{A}: {x}."]),
        ("inner_speech", "telegraphic"): (
            ru.INNER_WORDS,
            [
                "«{x}» своим голосом",
                "в голове мой голос: «{x}»",
                "«{x}!» про себя",
                "в голове: {x}",
                "про себя: {x}",
            ],
        ),
        ("inner_speech", "framed"): (
            ru.INNER_WORDS,
            [
                "В момент сигнала я говорил себе: «{x}».",
                "Прямо перед сигналом сказала себе своим голосом: «{x}».",
            ],
        ),
        ("inner_speech", "narrative"): (
            ru.INNER_WORDS,
            ["{A}, а в голове мой голос: «{x}», с раздражением."],
        ),
        ("inner_seeing", "telegraphic"): (
            ru.IMAGES,
            ["вижу: {x}", "перед глазами {x}", "картинка: {x}, хотя я на работе"],
        ),
        ("inner_seeing", "framed"): (
            ru.IMAGES,
            ["В момент сигнала я мысленно видела картинку: {x}.", "Представил образ: {x}."],
        ),
        ("inner_seeing", "narrative"): (
            ru.IMAGES,
            ["{A}, а перед глазами {x}, как будто я там."],
        ),
        ("inner_hearing", "telegraphic"): (
            ru.HEARD,
            ["в голове звучит: {x}", "{x}, крутится в голове", "прокручивается в голове: {x}"],
        ),
        ("inner_hearing", "framed"): (
            ru.HEARD,
            ["В момент сигнала я слышал в голове, не вслух: {x}."],
        ),
        ("inner_hearing", "narrative"): (ru.HEARD, ["{A}, и в голове опять: {x}."]),
        ("unsymbolized_thinking", "telegraphic"): (
            ru.WORDLESS,
            ["понимание, что {x}, без слов", "знание: {x}. ни слов, ни картинок"],
        ),
        ("unsymbolized_thinking", "framed"): (
            ru.WORDLESS,
            ["В момент сигнала я думал о том, что {x}, но без слов и без образов."],
        ),
        ("unsymbolized_thinking", "narrative"): (
            ru.WORDLESS,
            ["{A}, и вдруг ясно: {x}. Без слов, просто знание."],
        ),
        ("feeling", "telegraphic"): (feelings, ["{e}, {b}", "{E}. {B}."]),
        ("feeling", "framed"): (feelings, ["В момент сигнала было чувство: {e}, {b}."]),
        ("feeling", "narrative"): (feelings, ["{A}, и накатило: {e}, {b}."]),
        ("just_doing", "telegraphic"): (
            ru.ACTIVITIES,
            ["просто {x}, больше ничего", "{x}. ни о чём", "{x}, ни мыслей ни картинок"],
        ),
        ("just_doing", "framed"): (
            ru.ACTIVITIES,
            ["В момент сигнала я просто {x}, больше ничего в переживании не было."],
        ),
        ("just_doing", "narrative"): (ru.ACTIVITIES, ["{X}. Только это, ни мыслей, ни чувств."]),
    }


TEMPLATES = {"en": _en_templates, "ru": _ru_templates}
#: What each content family must be detected as.
EXPECTED_PHENOMENON = {"bodily": "sensory_awareness"}
FORMS = ("telegraphic", "framed", "narrative")


def _fill(template: str, item: object, activity: str) -> str:
    text = str(item)
    emo, _, body = text.partition("|")
    return template.format(
        x=text,
        X=_cap(text),
        a=activity,
        A=_cap(activity),
        e=emo,
        E=_cap(emo),
        b=body,
        B=_cap(body),
    )


def content_reports(lang: str, family: str, form: str) -> list[str]:
    """Every report of one content family (phenomenon, or ``bodily``) in one form."""
    items, templates = TEMPLATES[lang]()[(family, form)]
    activities = LEXICONS[lang].ACTIVITIES
    reports = []
    for index, (item, template) in enumerate(
        (item, template) for item in items for template in templates
    ):
        if "{a}" in template or "{A}" in template:
            reports += [_fill(template, item, a) for a in activities[index % 3 :: 3]]
        else:
            reports.append(_fill(template, item, activities[0]))
    return list(dict.fromkeys(reports))


def families() -> tuple[str, ...]:
    """Content families: every phenomenon the templates cover, and ``bodily``."""
    return tuple(dict.fromkeys(family for family, _ in _en_templates()))


def _sample(key: str, cases: Iterable[Case], limit: int = MAX_CASES) -> list[Case]:
    unique = list(dict.fromkeys(cases))
    if len(unique) <= limit:
        return unique
    return random.Random(key).sample(unique, limit)


# minimum functionality


def _phenomenon_cases(lang: str) -> Iterator[Case]:
    for family in families():
        code = EXPECTED_PHENOMENON.get(family, family)
        for form in FORMS:
            key = f"mft/phenomenon/{family}/{form}/{lang}"
            yield from _sample(
                key,
                (
                    Case(key, lang, text, Expect("phenomenon", code))
                    for text in content_reports(lang, family, form)
                ),
            )


def _kind_cases(lang: str) -> Iterator[Case]:
    """Kinds of expression typed as participants type them (``KINDS`` of the lexicons)."""
    for kind, (code, reports) in LEXICONS[lang].KINDS.items():
        key = f"mft/kind/{kind}/{lang}"
        yield from (Case(key, lang, text, Expect("phenomenon", code)) for text in reports)


def _concrete_telegraphic(lang: str) -> list[str]:
    return [
        text
        for family in families()
        if family != "just_doing"
        for text in content_reports(lang, family, "telegraphic")
    ]


def issue_reports(lang: str) -> dict[str, list[str]]:
    """Issue code -> reports that must raise it."""
    lex = LEXICONS[lang]
    good = (
        content_reports(lang, "inner_speech", "framed")[:6]
        + content_reports(lang, "sensory_awareness", "framed")[:6]
    )
    if lang == "en":
        short = ["ok", "hm", "meh"]
        behaviour = [f"Was {a}." for a in lex.ACTIVITIES] + [_cap(a) + "." for a in lex.ACTIVITIES]
        thinking = [f"I was thinking about {t}." for t in lex.TOPICS] + [
            f"thinking about {t}" for t in lex.TOPICS
        ]
    else:
        short = ["ну", "ага", "мда"]
        behaviour = [_cap(a) + "." for a in lex.ACTIVITIES] + [
            f"В момент сигнала {a}." for a in lex.ACTIVITIES
        ]
        thinking = [f"Думал о {t}." for t in lex.TOPICS] + [f"думала о {t}" for t in lex.TOPICS]
    return {
        "empty": ["", "   ", "\n"],
        "too_short": short,
        "avoidance": [*lex.AVOIDANCE, *(_cap(a) + "." for a in lex.AVOIDANCE)],
        "generalization": [*lex.GENERALISATIONS, *(_cap(g) + "." for g in lex.GENERALISATIONS)],
        "not_momentary": list(lex.PERIODS),
        "theorizing": [f"{g.rstrip('.»')}, {r}." for g in good for r in lex.REASONS],
        "hedging": [f"{h} {_lower_first(g)}" for g in good for h in lex.HEDGES],
        "behavior_only": behaviour,
        "unspecified_thinking": thinking,
        "reaction_to_beep": [*lex.REACTIONS, *(_cap(r) + "." for r in lex.REACTIONS)],
        "abstract_label": [*lex.LABELS, *(_cap(label) + "." for label in lex.LABELS)],
        "reading_inner_voice": list(lex.READING),
        "inferred": [i.format(topic=t) for i in lex.INFERENCES for t in lex.TOPICS],
        "presupposition": [
            *lex.CONTENTLESS_SPEECH,
            *(_cap(c) + "." for c in lex.CONTENTLESS_SPEECH),
        ],
    }


def _lower_first(text: str) -> str:
    """Lower the first letter for a prefix to go in front, unless it starts an acronym."""
    acronym = len(text) > 1 and text[:2].isalpha() and text[:2].isupper()
    return text if acronym else text[:1].lower() + text[1:]


def _issue_cases(lang: str) -> Iterator[Case]:
    for code, reports in issue_reports(lang).items():
        key = f"mft/issue/{code}/{lang}"
        yield from _sample(key, (Case(key, lang, text, Expect("issue", code)) for text in reports))


def _score_cases(lang: str) -> Iterator[Case]:
    lex = LEXICONS[lang]
    concrete = _concrete_telegraphic(lang)
    key = f"mft/score/concrete_passes/{lang}"
    yield from _sample(key, (Case(key, lang, t, Expect("min_score", PASS_MARK)) for t in concrete))
    key = f"mft/score/bare_nothing_fails/{lang}"
    yield from (Case(key, lang, t, Expect("max_score", PASS_MARK)) for t in lex.NOTHING)
    key = f"mft/score/described_blank_passes/{lang}"
    yield from (Case(key, lang, t, Expect("min_score", PASS_MARK)) for t in lex.BLANK)
    key = f"mft/absent/no_praise_for_bare_nothing/{lang}"
    yield from (Case(key, lang, t, Expect("no_strengths")) for t in lex.NOTHING)
    experience = [
        text
        for family in families()
        if family != "just_doing"
        for form in ("telegraphic", "narrative")
        for text in content_reports(lang, family, form)
    ]
    key = f"mft/absent/behavior_only_on_experience/{lang}"
    yield from _sample(
        key, (Case(key, lang, t, Expect("no_issue", "behavior_only")) for t in experience)
    )
    sensory = [
        text
        for family in ("sensory_awareness", "bodily")
        for form in FORMS
        for text in content_reports(lang, family, form)
    ]
    key = f"mft/absent/unspecified_thinking_on_sensory/{lang}"
    yield from _sample(
        key, (Case(key, lang, t, Expect("no_issue", "unspecified_thinking")) for t in sensory)
    )
    key = f"mft/score/task_perception_is_not_sensory/{lang}"
    yield from (
        Case(key, lang, _cap(t) + ".", Expect("no_phenomenon", "sensory_awareness"))
        for t in lex.TASK_PERCEPTION
    )
    generic = issue_reports(lang)["behavior_only"]
    key = f"dir/concrete_behaviour_above_generic/{lang}"
    yield from _sample(
        key,
        (
            Case(key, lang, g, Expect("higher"), other=_cap(b) + ".")
            for g in generic
            for b in lex.CONCRETE_BEHAVIOUR
        ),
    )
    key = f"dir/experience_above_concrete_behaviour/{lang}"
    yield from _sample(
        key,
        (
            Case(key, lang, _cap(b) + ".", Expect("higher"), other=c)
            for b in lex.CONCRETE_BEHAVIOUR
            for c in concrete
        ),
    )
    key = f"dir/label_below_concrete/{lang}"
    labels = [*lex.LABELS, *(_cap(label) + "." for label in lex.LABELS)]
    yield from _sample(
        key,
        (Case(key, lang, c, Expect("lower"), other=label) for c in concrete for label in labels),
    )


# invariance


def _typo(text: str, rng: random.Random) -> str:
    """Swap two neighbouring letters inside one word of five letters or more."""
    words = [i for i, w in enumerate(text.split(" ")) if sum(ch.isalpha() for ch in w) >= 5]
    if not words:
        return text
    parts = text.split(" ")
    index = rng.choice(words)
    word = parts[index]
    letters = [i for i in range(1, len(word) - 2) if word[i].isalpha() and word[i + 1].isalpha()]
    if not letters:
        return text
    i = rng.choice(letters)
    parts[index] = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return " ".join(parts)


def _perturbations(lang: str) -> dict[str, Callable[[str, random.Random], str]]:
    emoji = LEXICONS[lang].EMOJI
    perturb: dict[str, Callable[[str, random.Random], str]] = {
        "lower_case": lambda t, _r: t.lower(),
        "no_final_period": lambda t, _r: t[:-1] if t.endswith(".") else t,
        "typo": _typo,
        "emoji": lambda t, r: f"{t} {r.choice(emoji)}",
        "trailing_parens": lambda t, _r: t.rstrip(".") + "))",
    }
    if lang == "ru":
        perturb["yo_to_e"] = lambda t, _r: t.replace("ё", "е").replace("Ё", "Е")
    return perturb


def _good_reports(lang: str) -> list[str]:
    return [
        text
        for family in families()
        if family != "just_doing"
        for form in FORMS
        for text in content_reports(lang, family, form)
    ]


def _invariance_cases(lang: str) -> Iterator[Case]:
    good = _good_reports(lang)
    for name, perturb in _perturbations(lang).items():
        key = f"inv/{name}/{lang}"
        rng = random.Random(key)
        pairs = ((text, perturb(text, rng)) for text in good)
        yield from _sample(
            key,
            (
                Case(key, lang, text, Expect("invariant", INVARIANCE_POINTS), other=changed)
                for text, changed in pairs
                if changed != text
            ),
        )
    key = f"inv/drop_framing_verb/{lang}"
    yield from _sample(key, _framing_pairs(lang, key))


def _framing_pairs(lang: str, key: str) -> Iterator[Case]:
    """The same sensory or bodily content with an attention frame and without it."""
    lex = LEXICONS[lang]
    frames = (
        ["At the beep I noticed {x}.", "Just before the beep I was aware of {x}."]
        if lang == "en"
        else [f"{frame} {{x}}." for frame in lex.ATTENTION]
    )
    for item in (*lex.SENSORY, *lex.BODILY):
        for frame in frames:
            yield Case(
                key,
                lang,
                frame.format(x=item),
                Expect("invariant", INVARIANCE_POINTS),
                other=_cap(item) + ".",
            )


# directional


def _direction_cases(lang: str) -> Iterator[Case]:
    lex = LEXICONS[lang]
    good = _good_reports(lang)
    edits: dict[str, list[tuple[str, str]]] = {
        "as_always_lowers": [(g, f"{h} {_lower_first(g)}") for g in good for h in lex.HABITUAL],
        "because_lowers": [(g, f"{g.rstrip('.')}, {r}.") for g in good for r in lex.REASONS],
        "hedge_lowers": [(g, f"{h} {_lower_first(g)}") for g in good for h in lex.HEDGES],
    }
    for name, pairs in edits.items():
        key = f"dir/{name}/{lang}"
        yield from _sample(key, (Case(key, lang, a, Expect("lower"), other=b) for a, b in pairs))
    reports = issue_reports(lang)
    bases = reports["behavior_only"] + reports["unspecified_thinking"]
    key = f"dir/sensory_detail_raises/{lang}"
    yield from _sample(
        key,
        (
            Case(key, lang, base, Expect("higher"), other=f"{base.rstrip('.')}, {detail}.")
            for base in bases
            for detail in lex.SENSORY
        ),
    )


def generate(langs: Sequence[str] = ("en", "ru")) -> list[Case]:
    """Every case of the suite, grouped by capability, in a stable order."""
    cases: list[Case] = []
    for lang in langs:
        for make in (
            _phenomenon_cases,
            _kind_cases,
            _issue_cases,
            _score_cases,
            _invariance_cases,
            _direction_cases,
        ):
            cases.extend(make(lang))
    return cases
