"""Message catalogues: every key in every language and address form, every placeholder filled."""

from __future__ import annotations

import re

import pytest

from esm_bot import i18n
from esm_bot.i18n import present, tz_label

COMBOS = [(lang, form) for lang in i18n.LANGS for form in i18n.FORMS]


def test_every_key_exists_in_every_language() -> None:
    """Russian and English have exactly the same keys."""
    assert i18n.keys("en") == i18n.keys("ru")


@pytest.mark.parametrize(("lang", "form"), COMBOS)
def test_every_template_renders_with_its_placeholders(lang: str, form: str) -> None:
    """Each template renders without leftover braces once its own placeholders are given."""
    for key in sorted(i18n.keys(lang)):
        params = {name: f"<{name}>" for name in i18n.placeholders(key, lang, form)}
        text = i18n.render(key, lang, form, **params)

        assert text.strip(), key
        assert "{" not in text, key
        assert "}" not in text, key
        assert "[" not in text, key  # a Russian [informal|formal] choice left unexpanded
        for value in params.values():
            assert value in text, (key, value)


@pytest.mark.parametrize("key", sorted(i18n.keys("en")))
def test_placeholders_agree_across_languages_and_forms(key: str) -> None:
    """A handler passes the same parameters whatever the participant's language and form."""
    expected = i18n.placeholders(key, "en")

    for lang, form in COMBOS:
        assert expected == i18n.placeholders(key, lang, form), (key, lang, form)


def test_catalogue_text_keeps_line_breaks_and_single_spaces() -> None:
    """Wrapped catalogue lines join with one space, and with none after a line break."""
    assert i18n.render("help", "ru", "formal") == (
        "Этот бот в случайные моменты спрашивает о вашем внутреннем опыте.\n\n"
        "/status – ваш прогресс\n/settings – часовой пояс, время, число сигналов, язык\n"
        "/practice – тренировочный сигнал сейчас\n/pause – пауза\n/resume – продолжить\n"
        "/stop – выйти из исследования\n/delete – удалить свои данные\n/help – эта справка\n\n"
        "Когда придёт сигнал, опишите, что было в вашем переживании ровно в тот момент."
    )
    for lang, form in COMBOS:
        for key in i18n.keys(lang):
            text = i18n.template(key, lang, form)
            assert text == text.strip(), (key, lang, form)
            assert not re.search(r"  | \n|\n ", text), (key, lang, form)


def test_missing_parameter_raises() -> None:
    """Forgetting a parameter is a programming error, caught by tests, not shown to anyone."""
    with pytest.raises(KeyError):
        i18n.render("too_long", "en", "informal", length=5)


def test_russian_forms_differ_where_the_address_matters() -> None:
    """Informal uses «ты» forms, formal «вы» forms."""
    informal = i18n.render("help", "ru", "informal")
    formal = i18n.render("help", "ru", "formal")

    assert "твой" in informal
    assert "ваш" not in informal
    assert "ваш" in formal
    assert "твой" not in formal
    informal_words = set(re.findall(r"\w+", i18n.render("beep", "ru", "informal")))
    formal_words = set(re.findall(r"\w+", i18n.render("beep", "ru", "formal")))
    assert "ты" in informal_words
    assert "вы" not in informal_words
    assert "вы" in formal_words
    assert "ты" not in formal_words


def test_beep_asks_about_the_moment_of_the_beep() -> None:
    """The beep message asks what was in experience at that moment (DES's question)."""
    assert "moment of the beep" in i18n.render("beep", "en")
    assert "в момент сигнала" in i18n.render("beep", "ru", "formal")


def test_emoji_are_sparing() -> None:
    """At most one emoji per message, as the original MSE bot uses them."""
    emoji = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf]")
    for lang, form in COMBOS:
        for key in i18n.keys(lang):
            text = i18n.template(key, lang, form)
            assert len(emoji.findall(text)) <= 2, (key, lang)


def test_unknown_language_and_form_fall_back() -> None:
    """An unexpected language gives English; an unexpected form gives the informal text."""
    assert i18n.render("thanks", "de") == i18n.render("thanks", "en")
    assert i18n.render("paused", "ru", "weird") == i18n.render("paused", "ru", "informal")


def test_participant_text_is_not_parsed_as_a_template() -> None:
    """Braces typed by a participant are echoed as they are."""
    text = i18n.render("timezone_invalid", "en", text="{0} {__class__}")

    assert "{0} {__class__}" in text


@pytest.mark.parametrize(
    ("tz", "shown"),
    [
        ("Etc/GMT-3", "UTC+3"),
        ("Etc/GMT+5", "UTC-5"),
        ("UTC+05:30", "UTC+05:30"),
        ("Asia/Tokyo", "Asia/Tokyo"),
    ],
)
def test_fixed_offset_zones_are_shown_with_the_usual_sign(tz: str, shown: str) -> None:
    """POSIX Etc/GMT names have the opposite sign; participants see UTC+3, not Etc/GMT-3."""
    assert tz_label(tz) == shown


def test_engine_parameters_are_presented_in_the_participants_language() -> None:
    """Codes become words, lists sentences, floats rounded, None a dash, an empty tip the day's."""
    params = {
        "focus": "specificity",
        "state": "training",
        "quality": "good",
        "strengths": ["gives the inner words", "names a feeling"],
        "tip": "",
        "average": 63.4,
        "until": None,
    }

    out = present(params, "ru", "formal")

    assert out["focus"] == i18n.render("focus_specificity", "ru")
    assert out["state"] == "тренировка"
    assert out["quality"] == "хорошо"
    assert out["strengths"] == "Что получилось: gives the inner words; names a feeling."
    assert out["tip"] == i18n.render("tip_specificity", "ru", "formal")
    assert out["average"] == "63"
    assert out["until"] == "–"
