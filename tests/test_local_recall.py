"""Phenomena as participants type them (issue 13, recall): the vocabulary of the body and the
senses as a whole class, and the rules that must not veto what was apprehended."""

from __future__ import annotations

import pytest

import esm_validate

validate = esm_validate.validate


@pytest.mark.parametrize(
    "text",
    [
        "в носу щекотно, сейчас чихну",
        "свело икру, сильно",
        "forearms trembling after the last set",
        "ribs sore from coughing",
    ],
)
def test_bodily_vocabulary_typed_bare_is_sensory_awareness(text: str) -> None:
    """A quality's adverb («щекотно» of «щекотный»), a sensation verb («свело»), a body part
    outside the commonest dozen (forearms, ribs, «икра») with a sensation: a bodily sensation
    stated for itself."""
    assert validate(text).phenomena == {"sensory_awareness"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("весь вечер ныло колено", set()),
        ("all afternoon my knee ached", set()),
        ("колено ноет, весь день на ногах", {"sensory_awareness"}),
        ("knee aching, on my feet all day", {"sensory_awareness"}),
    ],
)
def test_a_sensation_lasting_a_period_is_not_of_the_moment(text: str, expected: set[str]) -> None:
    """A period in the sensation's own clause ("all afternoon my knee ached") is not the
    moment; a period in another clause gives the sensation's cause, not its time."""
    assert validate(text).phenomena == expected


@pytest.mark.parametrize("text", ["завидно, аж кольнуло", "завидую ей, прям сейчас"])
def test_envy_as_typed_is_a_feeling(text: str) -> None:
    """«завидно», «завидую» name envy as «зависть» does."""
    assert "feeling" in validate(text).phenomena


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("мокрые носки, думаю про дачу", {"sensory_awareness"}),
        ("sticky fingers, thinking about the exam", {"sensory_awareness"}),
        ("думала о запахе свежего хлеба", set()),
        ("thinking about the smell of fresh bread", set()),
    ],
)
def test_a_sensation_before_thinking_about_is_not_its_topic(text: str, expected: set[str]) -> None:
    """What follows "thinking about" is a thought's topic; a sensation typed before it in its
    sentence is one of its own."""
    assert validate(text).phenomena == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ледяной пол под пятками, и себе: «скорее»", {"inner_speech", "sensory_awareness"}),
        ('wind on my neck, and "almost there" to myself', {"inner_speech", "sensory_awareness"}),
        ("сердце стучит, и себе: «спокойно, спокойно»", {"inner_speech"}),
        ('heart thumping, and "stay calm" to myself', {"inner_speech"}),
    ],
)
def test_a_sensation_placed_in_the_body_beside_words(text: str, expected: set[str]) -> None:
    """Beside inner words one content word is enough when the sensation is placed in the body
    (heels, neck): it is one's own, not passing context; in a seat of feelings (heart, chest,
    stomach, throat) it is, as before, more often a feeling's side."""
    assert validate(text).phenomena == expected


@pytest.mark.parametrize("text", ["hands shaking with nerves", "My hands felt clammy with nerves."])
def test_nerves_is_a_feeling(text: str) -> None:
    """ "with nerves" names the feeling; the hands are its bodily side."""
    assert validate(text).phenomena == {"feeling"}


@pytest.mark.parametrize(
    "text",
    [
        "гимн в голове, не отпускает",
        "в ушах «Подмосковные вечера», аккордеон",
        "the jeopardy theme in my head",
        "mum singing in my head, row row row your boat",
    ],
)
def test_a_theme_an_anthem_or_a_title_in_the_head_is_inner_hearing(text: str) -> None:
    """A theme tune or an anthem in the head, a title in the ears, someone singing in the head:
    heard innerly, as a song or a melody is."""
    assert validate(text).phenomena == {"inner_hearing"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Говорю себе «ещё чуть-чуть»; икры жжёт, пальцы немеют",
            {"inner_speech", "sensory_awareness"},
        ),
        (
            '"keep going" to myself, calves burning, fingers numb',
            {"inner_speech", "sensory_awareness"},
        ),
        ("I was seeing my grandma at the window, her cheeks red, hands cold", {"inner_seeing"}),
        ("Вижу бабушку у окна, щёки красные, руки холодные", {"inner_seeing"}),
    ],
)
def test_after_words_the_body_is_ones_own_after_an_image_the_images(
    text: str, expected: set[str]
) -> None:
    """Words have no body: a bodily clause after inner words is a sensation of one's own; after
    an image, cheeks and hands may be the image's detail."""
    assert validate(text).phenomena == expected


@pytest.mark.parametrize(
    "text",
    [
        "про себя соседу: да сколько можно",
        "innerly to my boss: not today",
        "подумала: а если дождь",
        "thinking: what if it rains",
    ],
)
def test_words_after_a_frame_with_an_addressee_or_a_thinking_colon(text: str) -> None:
    """The words typed after «про себя соседу:», "innerly to my boss:", «подумала:», "thinking:"
    are the inner words themselves."""
    assert validate(text).phenomena == {"inner_speech"}


@pytest.mark.parametrize(
    "text",
    [
        "знал: не успею",
        "knew: wrong train",
        "it hit me that I'd left the oven on",
        "просто знание, что поезд ушёл",
        "the plan for dinner, clear, nothing said or seen",
    ],
)
def test_a_knowing_typed_bare_is_unsymbolized_thinking(text: str) -> None:
    """A knowing with its content after a colon or "that"/«что», and a thought with "nothing said
    or seen": a wordless, imageless thought."""
    assert validate(text).phenomena == {"unsymbolized_thinking"}


@pytest.mark.parametrize(
    "text",
    [
        "была зла, щёки горят",
        "расстроилась, в горле ком",
        "удивлена, брови вверх",
        "on edge, jaw tight",
        "mortified, face burning",
        "flustered and fed up",
    ],
)
def test_feelings_named_as_people_type_them(text: str) -> None:
    """Short forms and participles («зла», «удивлена»), «расстроиться», and chat-style English
    ("on edge", "mortified", "flustered", "fed up") name a feeling; the body beside it is its
    side."""
    assert validate(text).phenomena == {"feeling"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("отцова лодка, синяя, краска облупилась", {"inner_seeing"}),
        ("бабушкин буфет, хрусталь за стеклом", {"inner_seeing"}),
        ("grandmas cottage, blue shutters, roses by the gate", {"inner_seeing"}),
        ("my uncles barn, hay everywhere", {"inner_seeing"}),
        ("холодильник гудит, низко", {"sensory_awareness"}),
        ("the fridge humming, low", {"sensory_awareness"}),
    ],
)
def test_a_kins_thing_described_is_seen_though_absent(text: str, expected: set[str]) -> None:
    """A thing of a scene with a kin owner («отцова», «бабушкин», "grandmas" typed without the
    apostrophe) and its description: an image; the same thing without an owner, heard or seen
    here, is not."""
    assert validate(text).phenomena == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "folding towels, nothing else, just noticing the warm cotton, soft and fluffy",
            {"just_doing", "sensory_awareness"},
        ),
        (
            "режу морковь, больше ничего, только замечаю яркий оранжевый цвет",
            {"just_doing", "sensory_awareness"},
        ),
        ("folding warm towels, nothing else", {"just_doing"}),
        ("режу тёплый хлеб, больше ничего", {"just_doing"}),
    ],
)
def test_a_quality_attended_to_beside_the_doing(text: str, expected: set[str]) -> None:
    """Beside "just doing", a quality attended to ("just noticing", «замечаю») is sensory
    awareness as well; a quality of what one does, unattended, is not."""
    assert validate(text).phenomena == expected


@pytest.mark.parametrize(
    "text",
    ["любуюсь закатом, розовый и оранжевый", "разглядываю трещину на чашке, тонкая синяя линия"],
)
def test_russian_present_tense_attention_verbs(text: str) -> None:
    """«любуюсь», «разглядываю», «замечаю» attend to a quality as «любовалась» and
    «разглядывала» do."""
    assert validate(text).phenomena == {"sensory_awareness"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("холодно рукам, наверное потому что перчатки забыла", {"sensory_awareness"}),
        ("cold fingers, probably because I forgot my gloves", {"sensory_awareness"}),
        ("probably cold hands, not sure", set()),
        ("наверное, руки мёрзли, не помню", set()),
    ],
)
def test_a_guess_at_the_cause_is_no_doubt_about_the_sensation(
    text: str, expected: set[str]
) -> None:
    """ "probably because ...", «наверное потому что ...» guess why, not whether: the sensation
    stands; a hedge on the sensation itself still drops it."""
    assert validate(text).phenomena == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("come on come on come on, at the bus stop", {"inner_speech"}),
        ("keep going keep going, on the last hill", {"inner_speech"}),
        ("давай давай давай, на последнем подъёме", {"inner_speech"}),
        ("только не сейчас только не сейчас", {"inner_speech"}),
        ("bored bored bored", {"feeling"}),
        ("скучно скучно скучно", {"feeling"}),
        ("leaf blower outside, whiny, up and down up and down", {"sensory_awareness"}),
    ],
)
def test_words_repeated_in_a_loop_are_inner_speech(text: str, expected: set[str]) -> None:
    """Inner words typed as they came often loop: a phrase said twice or more, a word three
    times; a repeated feeling, or a sound's course after the sound, is not speech."""
    assert validate(text).phenomena == expected


@pytest.mark.parametrize(
    "text",
    [
        "I didn't notice any noise or smell",
        "if it were colder i would feel the wind on my face",
        "\"don't ЯРКИЙ",
    ],
)
def test_a_negated_or_hypothetical_sensation_is_no_content_to_praise(text: str) -> None:
    """A sensation negated or hypothetical is neither sensory awareness nor experiential
    content: the report is not praised as a good one without an issue (a property-test case,
    '"don't ЯРКИЙ', scored 76 with no issue)."""
    a = validate(text)
    assert not a.phenomena
    assert a.issues
    assert a.score < 60


@pytest.mark.parametrize(
    "text",
    [
        "бормочу про себя, где же ключи",
        "ругаю себя: растяпа, опять",
        "muttering to myself, where are the keys",
        "scolding myself: idiot, again",
    ],
)
def test_self_talk_verbs_in_the_present_and_ing(text: str) -> None:
    """«бормочу», «ругаю себя», "muttering to myself", "scolding myself": speaking to oneself
    in the present or an -ing form, as «бормотал», "muttered" are."""
    assert validate(text).phenomena == {"inner_speech"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the tea on my tongue, kinda bitter", {"sensory_awareness"}),
        ("the light on the wall, sort of golden", {"sensory_awareness"}),
        ("kinda cold hands maybe, not sure", set()),
    ],
)
def test_a_softener_before_a_quality_is_its_degree(text: str, expected: set[str]) -> None:
    """ "kinda bitter", "sort of golden" give a quality's degree, not a doubt that it was
    there; "maybe, not sure" still doubt it."""
    assert validate(text).phenomena == expected
