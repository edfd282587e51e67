"""Phenomena, eighth precision round (issue 13): sensory awareness is coded only when the
sensory quality is the foreground of the moment. A sensation that is the bodily side of a
feeling, beside words, an image or a wordless thought, is the feeling, not sensory awareness.
Each case is in both languages."""

from __future__ import annotations

import pytest

from esm_validate import validate


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # beside a wordless thought or inner speech, warmth or cold in the chest, the gut or the
        # neck, with no feeling named, is the feeling's bodily side
        (
            "knew without words that the bus had gone. a chill in my stomach",
            {"unsymbolized_thinking", "feeling"},
        ),
        (
            "wordless: the bus had gone. heat rising up my neck",
            {"unsymbolized_thinking", "feeling"},
        ),
        (
            "Без слов поняла, что автобус ушёл. И холодок в груди.",
            {"unsymbolized_thinking", "feeling"},
        ),
        ("без слов: автобус ушёл. и жар к шее", {"unsymbolized_thinking", "feeling"}),
        ('saying to myself "two more laps", and a warmth in my chest', {"inner_speech", "feeling"}),
        ("про себя: ещё два круга. и тепло в груди", {"inner_speech", "feeling"}),
    ],
)
def test_a_sensation_in_a_feelings_seat_beside_a_symbol_is_the_feeling(
    text: str, expected: set[str]
) -> None:
    """DES codes the bodily side of a feeling as the feeling: beside another phenomenon, a
    sensation felt where feelings are felt (and nowhere else) is not sensory awareness."""
    assert validate(text).phenomena == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # something coming onto the body from outside is sensed
        (
            'saying to myself "two more laps", and cold wind on my cheeks',
            {"inner_speech", "sensory_awareness"},
        ),
        (
            'saying to myself "two more laps", sun hot on my face',
            {"inner_speech", "sensory_awareness"},
        ),
        ("про себя: ещё два круга. ветер в лицо, холодный", {"inner_speech", "sensory_awareness"}),
        ("про себя: ещё два круга. и холод в лицо", {"inner_speech", "sensory_awareness"}),
        # a sensation of its own (a sore throat, hunger) is no feeling's side
        (
            "throat scratchy, and knowing without words it's a cold coming",
            {"unsymbolized_thinking", "sensory_awareness"},
        ),
        (
            "knew without words I was late again. and my stomach growling with hunger",
            {"unsymbolized_thinking", "sensory_awareness"},
        ),
        (
            "без слов: опять опоздала. и в животе урчит от голода",
            {"unsymbolized_thinking", "sensory_awareness"},
        ),
    ],
)
def test_a_sensation_from_outside_or_of_its_own_stays_sensory(
    text: str, expected: set[str]
) -> None:
    """Wind or sun on the face, a scratchy throat, a growling stomach: sensed for themselves,
    so they stay sensory awareness beside words or a wordless thought."""
    assert validate(text).phenomena == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("embarrassed, cheeks going red", {"feeling"}),
        ("стыд, горячий, в щеках", {"feeling"}),
        ("досада, горячая, к шее", {"feeling"}),
        # a sound after the feeling is sensed for itself
        ("irritated, and the fridge humming loudly", {"feeling", "sensory_awareness"}),
        ("раздражение, и холодильник гудит громко", {"feeling", "sensory_awareness"}),
    ],
)
def test_a_quality_right_after_a_feeling_is_the_feelings(text: str, expected: set[str]) -> None:
    """A quality or a flush typed straight after a named feeling ("embarrassed, cheeks going
    red", «досада, горячая») is how the feeling is felt; a sound after it is not."""
    assert validate(text).phenomena == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a period opens the sentence: what follows in it lasts the period
        ("all day grey drizzle, damp and chilly", set()),
        ("весь день серая морось, сыро и зябко", set()),
        # a turn to now ends the period's reach
        (
            "all morning a headache, but now the drill next door, loud and grinding",
            {"sensory_awareness"},
        ),
        (
            "всё утро болела голова, а сейчас дрель за стеной, громкая, визжит",
            {"sensory_awareness"},
        ),
        # a period a sensation lasts since reaches the moment
        ("since this morning my back aching, a dull throb", {"sensory_awareness"}),
        ("со вчерашнего дня ноет спина, тупо, тянет", {"sensory_awareness"}),
        # a place wished for: its qualities are wanted, not sensed
        ("wish i was at the beach, warm sand, salty air", set()),
        ("хочу на дачу, тепло, пахнет сеном", set()),
        # a wish for something else leaves what is sensed there
        ("want to sleep, the fridge humming loudly, still in the kitchen.", {"sensory_awareness"}),
        ("хочу спать, холодильник гудит громко, сижу на кухне.", {"sensory_awareness"}),
        # a sensation told as earlier
        ("the radio was so loud that my ears rang earlier", set()),
        ("the radio loud, my ears ringing", {"sensory_awareness"}),
    ],
)
def test_a_quality_of_a_period_a_wish_or_earlier_is_not_sensed_now(
    text: str, expected: set[str]
) -> None:
    """Sensory awareness is of the moment: not the qualities of a whole day told in one
    sentence, of a place wished for, or of a sensation told as earlier."""
    assert validate(text).phenomena == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a place remembered by a clause of one's past there, then its details
        ("the kitchen where i grew up, yellow tiles, the dripping tap", {"inner_seeing"}),
        ("кухня, где я выросла: жёлтая плитка, капает кран", {"inner_seeing"}),
        ("двор, где мы играли, облупленная горка, качели скрипят", {"inner_seeing"}),
        # the reporter there now, or a clause of others' doing: no image
        (
            "we sat in the kitchen where we met, yellow tiles, the dripping tap",
            {"sensory_awareness"},
        ),
        ("мы сидели на кухне, где я выросла, жёлтая плитка, капает кран", {"sensory_awareness"}),
        ("the kitchen where they cooked, yellow tiles, the dripping tap", {"sensory_awareness"}),
        ("кухня, где все готовили, жёлтая плитка, капает кран", {"sensory_awareness"}),
    ],
)
def test_a_place_where_one_once_was_is_seen(text: str, expected: set[str]) -> None:
    """A place typed with a clause of one's past there ("where i grew up", «где мы играли») and
    its details is a scene seen while absent, inner seeing; its details are the image's, not
    sensory awareness. Said of where one sits now, it is the setting."""
    assert validate(text).phenomena == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # an ache is the body's own verb, not a thing sensed from outside
        (
            "the kitchen where i grew up, yellow tiles. missing it, an ache in my chest",
            {"inner_seeing", "feeling"},
        ),
        ("кухня, где я выросла, жёлтая плитка. и боль в груди", {"inner_seeing", "feeling"}),
    ],
)
def test_an_ache_in_a_feelings_seat_beside_an_image_is_the_feeling(
    text: str, expected: set[str]
) -> None:
    """ "ache" names a sensation and a sensation verb at once; it is felt, not sensed from
    outside, so in the chest beside an image it is a feeling's bodily side."""
    assert validate(text).phenomena == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a sound placed in the head in its own clause is heard innerly
        ("in my head the church bells chiming, slow", {"inner_hearing"}),
        ("в голове гудок электрички, протяжный", {"inner_hearing"}),
        # a sensation of the body in the head stays sensed
        ("in my head a throbbing ache, dull", {"sensory_awareness"}),
        ("в голове тупая боль, пульсирует", {"sensory_awareness"}),
        # "in my head" in an earlier clause does not place a later sound there
        ("nothing much going on in my head, the fridge humming loudly", {"sensory_awareness"}),
    ],
)
def test_a_sound_in_the_head_is_heard_innerly(text: str, expected: set[str]) -> None:
    """A sound typed with "in my head" in its clause («в голове гудок электрички») is inner
    hearing, not sensory awareness; an ache there is the body's."""
    assert validate(text).phenomena == expected
