"""Phenomena, seventh precision round (issue 13): a phenomenon counts when the report gives it
as experienced now, not when it only names a form, speaks to someone else or uses a word of
vision or feeling for something else. Each case is in both languages."""

from __future__ import annotations

import pytest

from esm_validate import validate


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a flash of a feeling is the feeling, not an image
        (
            "I was stacking chairs and there was a flash of irritation when one fell.",
            {"feeling"},
        ),
        (
            "Разгружала фургон под дождём, и была вспышка раздражения, когда коробка порвалась.",
            {"feeling"},
        ),
        # a flicker of a light is what is seen, not a feeling
        ("Red flicker of the brake lights ahead, watching it.", {"sensory_awareness"}),
        ("Красное мерцание стоп-сигналов впереди, смотрю на него.", {"sensory_awareness"}),
        # a flash of a place is still an image
        ("a flash of my old school corridor, green walls", {"inner_seeing"}),
    ],
)
def test_a_flash_or_a_flicker_is_what_it_is_of(text: str, expected: set[str]) -> None:
    """A flash of an emotion is a feeling, not inner seeing; a flicker of the lights is a
    sight, not a feeling."""
    assert validate(text).phenomena == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tune stuck in my head", set()),
        ("мелодия в голове", set()),
        # a tune admitted unknown is still inner hearing
        ("some song stuck in my head", {"inner_hearing"}),
        ("какая-то песня в голове", {"inner_hearing"}),
    ],
)
def test_a_tune_named_and_nothing_else_is_no_inner_hearing(text: str, expected: set[str]) -> None:
    """A report that is only a form and its place ("tune stuck in my head") describes no
    experience; "some song", «какая-то песня» admits a tune whose name is unknown."""
    assert validate(text).phenomena == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Я объясняла ему: «Нажмите на красную кнопку». Потом он ушёл.", set()),
        ("Я отвечала клиенту: «Минуточку».", set()),
        ('I was explaining to him: "Press the red button." Then he left.', set()),
        # words said to oneself stay inner speech
        ("говорила себе: «спокойно»", {"inner_speech"}),
    ],
)
def test_words_said_to_someone_else_are_not_inner_speech(text: str, expected: set[str]) -> None:
    """Quoted words said to an addressee («говорила ему», «отвечала клиенту») are speech to
    another, not inner speech."""
    assert validate(text).phenomena == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cold feet every winter, bad circulation", set()),
        ("холодные руки каждую зиму, плохое кровообращение", set()),
        # a sensation placed now stays
        ("cold feet, the tiles under my heels", {"sensory_awareness"}),
        ("холодные руки, ледяной руль под ладонями", {"sensory_awareness"}),
    ],
)
def test_a_sensation_every_season_is_a_habit(text: str, expected: set[str]) -> None:
    """Every winter, «каждую зиму» make a sensation a habit (generalisation), not sensory
    awareness of the moment."""
    assert validate(text).phenomena == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("annoyed with everything honestly", set()),
        ("раздражена от всего", set()),
        ("anxious this week, exams", set()),
        ("Мне тревожно на этой неделе.", set()),
        # a feeling of the moment stays
        ("anxious, my exam starts in five minutes", {"feeling"}),
        ("тревожно, экзамен через пять минут", {"feeling"}),
    ],
)
def test_a_mood_about_life_or_the_week_is_no_feeling(text: str, expected: set[str]) -> None:
    """A feeling whose object is everything or life, or that lasts the week, is a mood, not a
    feeling apprehended at the beep."""
    assert validate(text).phenomena == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mum's old Fiat, red seats, a crack in the windscreen", {"inner_seeing"}),
        ("тётин комод, кружевная салфетка, шкатулка сверху", {"inner_seeing"}),
        # a voice is heard, a verdict or a habit is no scene
        ("dad's voice, low and slow", {"inner_hearing"}),
        ("my boss's email, boring as usual", set()),
        ("мамин борщ, как всегда, вкусный", set()),
        ("It's hot, the fan is broken", set()),
    ],
)
def test_an_object_from_elsewhere_typed_as_present_is_inner_seeing(
    text: str, expected: set[str]
) -> None:
    """A report that opens with an object or a place that has an owner or a past ("mum's
    old fiat", «тётин комод») and then gives its details is an image, though no image word
    is there."""
    assert validate(text).phenomena == expected


@pytest.mark.parametrize(
    "text",
    [
        "my sister's scarf, soft wool, my cheek against it",
        "сестрин шарф, мягкая шерсть, моя щека в нём",
    ],
)
def test_an_object_beside_ones_own_body_is_at_hand_not_seen(text: str) -> None:
    """An owned object opening the report, with one's own body in its sentence ("my cheek
    against it"), is at hand: no image."""
    assert "inner_seeing" not in validate(text).phenomena


@pytest.mark.parametrize(
    ("text", "sensory"),
    [
        ("before i smelled the burning i already knew the toast was done", False),
        ("поняла, что чайник вскипел, перед тем как услышала громкий щелчок, без слов", False),
        # a sound in the foreground stays
        ("heard the engine of the bus, loud and rough", True),
        ("слышу мотор автобуса, громкий, хриплый", True),
    ],
)
def test_a_sensation_that_dates_another_event_is_not_the_foreground(
    text: str, sensory: bool
) -> None:
    """A sense in a clause of time ("before i smelled ...", «перед тем как услышала ...») dates
    something else; it is not sensory awareness."""
    assert ("sensory_awareness" in validate(text).phenomena) is sensory


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("guess i was annoyed bc i was tapping my foot", set()),
        ("наверное, я была раздражена, раз стучала ногой", set()),
        ("annoyed, tapping my foot", {"feeling"}),
        ("раздражение, стучу ногой", {"feeling"}),
    ],
)
def test_a_feeling_guessed_from_behaviour_is_inferred(text: str, expected: set[str]) -> None:
    """Guess i was annoyed (the chat's "i" dropped) infers a feeling: no feeling."""
    assert validate(text).phenomena == expected


@pytest.mark.parametrize(
    ("text", "seeing"),
    [
        ("Я просто знала, что опоздаю. Слов не было, картинки тоже, только знание.", False),
        ("Слов не было, картинка тоже была: море, серое.", True),
        ("No words, no images either, just knowing I'd be late.", False),
        ("No words. I was picturing the sea, grey and flat.", True),
    ],
)
def test_an_image_negated_with_too_after_words_negated_is_no_image(text: str, seeing: bool) -> None:
    """«Слов не было, картинки тоже»: the pictures are negated with the words; «картинка тоже
    была» says there was one."""
    assert ("inner_seeing" in validate(text).phenomena) is seeing


@pytest.mark.parametrize(
    ("text", "sensory"),
    [
        ("Yesterday evening in the park, the smell of wet leaves, earthy and sweet.", False),
        ("Вчера вечером гуляла по парку, пахло прелыми листьями.", False),
        # what lasts from another day till now stays
        ("my back has ached since yesterday, a dull throb", True),
        ("Сейчас пахнет прелыми листьями, сырость.", True),
    ],
)
def test_a_sensation_on_another_day_is_not_of_the_moment(text: str, sensory: bool) -> None:
    """A sensation in a sentence of yesterday or tomorrow («вчера», «завтра») is not sensory
    awareness of the moment; one that lasts "since yesterday" is."""
    assert ("sensory_awareness" in validate(text).phenomena) is sensory


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("phone buzzed and i got scared lol", set()),
        ("пиликнуло и я испугалась лол", set()),
        # a fright of something else stays a feeling
        ("scared of the dog next door, heart pounding", {"feeling"}),
        ("испугалась собаки, сердце колотится", {"feeling"}),
    ],
)
def test_a_startle_at_the_beep_is_a_reaction_not_a_feeling(text: str, expected: set[str]) -> None:
    """A fright right after the phone beeped («пиликнуло и я испугалась») is a reaction to the
    beep, not a feeling of the moment before it."""
    assert validate(text).phenomena == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The phone buzzed while I was driving. Afterwards I realised it was the bot again.",
            set(),
        ),
        ("Телефон завибрировал, я вела машину. Потом поняла, что это опять бот.", set()),
        # a knowing at the moment stays
        ("I just knew it was the bot again, no words.", {"unsymbolized_thinking"}),
        ("Просто знала, что это опять бот, без слов.", {"unsymbolized_thinking"}),
    ],
)
def test_a_realisation_told_as_later_is_not_of_the_moment(text: str, expected: set[str]) -> None:
    """A sentence that opens with what came later («Потом поняла, что ...», "Afterwards I
    realised ...") tells a thought after the moment, not unsymbolized thinking at the beep."""
    assert validate(text).phenomena == expected
