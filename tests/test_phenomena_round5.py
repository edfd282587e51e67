"""Phenomena, fifth precision round (issue 13): what a report asks, doubts or does not notice is
no phenomenon of the moment, and what it quotes is inner speech only when it gives the words.
Each case is in both languages."""

from __future__ import annotations

import pytest

from esm_validate import validate


@pytest.mark.parametrize(
    "text",
    [
        "was i nervous?? hard to say honestly",
        "Is being bored an experience? I am not sure what counts.",
        "было ли мне страшно? трудно сказать",
        "Была ли я раздражена? Не могу сказать.",
    ],
)
def test_a_feeling_asked_about_is_not_a_feeling(text: str) -> None:
    """A feeling in a yes-or-no question is asked about, not reported."""
    assert "feeling" not in validate(text).phenomena


@pytest.mark.parametrize(
    "text",
    [
        "why am i so nervous? my hands are cold",
        "почему мне так страшно? руки ледяные",
        "nervous. why?",
        "страшно. почему?",
    ],
)
def test_a_feeling_in_a_question_of_why_stays(text: str) -> None:
    """A question of why presumes the feeling: it stays."""
    assert "feeling" in validate(text).phenomena


@pytest.mark.parametrize(
    "text",
    [
        'She reported "some self-talk going on" but could not say what any of the words were.',
        'He was "talking to himself" but could not remember what the words were.',
        "Разговаривала сама с собой, что-то себе доказывала, но какими словами — не запомнила.",
        "Что-то себе говорил, какие слова — не помню.",
    ],
)
def test_speech_whose_words_are_declared_unknown_is_not_inner_speech(text: str) -> None:
    """A quotation or a marker of speech whose words the report says it cannot give is no
    inner speech (a presupposition of DES), wherever the words are said to be unknown."""
    assert "inner_speech" not in validate(text).phenomena


@pytest.mark.parametrize(
    "text",
    [
        'You keep asking what was "in experience" but I do not know.',
        "Ты спросил «что в голове», а я не знаю.",
    ],
)
def test_words_quoted_from_the_bot_are_not_inner_speech(text: str) -> None:
    """Words quoted from what "you" (the bot) ask are someone else's speech."""
    assert "inner_speech" not in validate(text).phenomena


@pytest.mark.parametrize(
    "text",
    [
        'I said to myself "not again" and could not say why.',
        "Сказала себе: «хватит», а почему — не знаю.",
    ],
)
def test_quoted_words_stay_inner_speech_beside_an_unknown_why(text: str) -> None:
    """Words given stay inner speech beside what the report does not know."""
    assert "inner_speech" in validate(text).phenomena


@pytest.mark.parametrize(
    "text",
    [
        'grandma humming "moon river" in my head, off key',
        'my dad singing "happy birthday" in my head',
        "в голове «широка страна моя родная» хором",
        "в ушах голос бывшего «ты опять за своё»",
        "голос старшего брата «ну ты и копуша»",
    ],
)
def test_words_sung_by_others_or_in_anothers_voice_are_inner_hearing(text: str) -> None:
    """Quoted words that someone else hums or sings, that a chorus sings or that come in
    another's voice (a voice and its owner in the genitive) are heard, not one's own speech."""
    found = validate(text).phenomena
    assert "inner_hearing" in found
    assert "inner_speech" not in found


@pytest.mark.parametrize(
    "text",
    [
        "голос ничего не говорил, просто «ну давай» своим голосом",
        'I said "ok go" to myself in my own voice',
    ],
)
def test_ones_own_voice_stays_inner_speech(text: str) -> None:
    """One's own voice («своим голосом», "my own voice") stays inner speech."""
    assert "inner_speech" in validate(text).phenomena


@pytest.mark.parametrize(
    "text",
    [
        "It smelled of disinfectant, but I didn't really notice the smell.",
        "There was a hum from the fridge, though I barely noticed it.",
        "Пахло лекарством, но я этот запах особо не замечала.",
        "Гудел холодильник, но я на этот гул не обращала внимания.",
    ],
)
def test_a_sensation_said_to_be_unnoticed_is_not_sensory_awareness(text: str) -> None:
    """A sensation the report says was not noticed was not in the foreground."""
    assert "sensory_awareness" not in validate(text).phenomena


@pytest.mark.parametrize(
    "text",
    [
        "It smelled of disinfectant, sharp and sweet, and I noticed it at once.",
        "Пахло лекарством, резко и сладко, я сразу заметила этот запах.",
    ],
)
def test_a_sensation_noticed_stays_sensory_awareness(text: str) -> None:
    """A sensation the report says was noticed stays sensory awareness."""
    assert "sensory_awareness" in validate(text).phenomena


@pytest.mark.parametrize(
    "text",
    [
        "Я гладила бельё, и в голове звучал голос моей учительницы: «читай медленно».",
        'I was ironing, and in my head my teacher\'s voice sounded: "read slowly".',
    ],
)
def test_the_sound_of_an_imagined_voice_is_not_sensory_awareness(text: str) -> None:
    """A voice sounding in the head is inner hearing; its sounding is no sensory awareness."""
    found = validate(text).phenomena
    assert "inner_hearing" in found
    assert "sensory_awareness" not in found


@pytest.mark.parametrize(
    ("text", "seen"),
    [
        ("I was at the nurses' station, listening to the clock ticking, dry and uneven.", False),
        ("the teachers' lounge, the kettle hissing, loud and shrill", False),
        ("my parents' kitchen, yellow tiles, the old clock", True),
        ("мамин балкон, бельё на верёвке", True),
    ],
)
def test_a_kind_of_place_is_not_a_scene_seen_while_absent(text: str, seen: bool) -> None:
    """A plural possessive names a kind of place ("the nurses' station"), not someone's place
    seen while absent; with an owner ("my parents' kitchen") it is one."""
    assert ("inner_seeing" in validate(text).phenomena) is seen


@pytest.mark.parametrize(
    "text",
    [
        "картинка была, какая то",
        "образ был какой то",
        "an image in my head, some kind of",
        "I was picturing, some sort of",
    ],
)
def test_an_image_with_only_an_indefinite_is_a_presupposition(text: str) -> None:
    """An image named with nothing but an indefinite in its sentence gives no content."""
    assessment = validate(text)
    assert "inner_seeing" not in assessment.phenomena
    assert "presupposition" in assessment.issue_codes


@pytest.mark.parametrize(
    "text",
    [
        "Simultaneously he felt a hot embarrassment that seemed to fill his face.",
        "I felt a cold dread all at once.",
        "Я почувствовала жгучий стыд, сразу.",
        "Ощутила холодный ужас, вдруг.",
    ],
)
def test_a_quality_of_a_feeling_felt_is_the_feeling(text: str) -> None:
    """A quality that qualifies the feeling word right after it ("a hot embarrassment") is
    the feeling's, not sensory awareness."""
    found = validate(text).phenomena
    assert "feeling" in found
    assert "sensory_awareness" not in found


@pytest.mark.parametrize(
    "text",
    [
        "I sat in algebra, then the bell, then we went to the canteen.",
        "fried the carrots golden first and then the meat, after that the rice",
        "Сидел на алгебре, потом звонок, пошли в столовку.",
        "сначала обжариваю морковь до золотистого цвета, потом мясо, потом рис",
    ],
)
def test_a_sensation_in_a_sequence_told_is_not_sensory_awareness(text: str) -> None:
    """A sensory clause in a sentence that tells a sequence of events ("then the bell") is a
    narrative, not a moment apprehended."""
    assert "sensory_awareness" not in validate(text).phenomena


@pytest.mark.parametrize(
    "text",
    ["the bell ringing, shrill and tinny in my ears", "звонок звенит, резко и жестяно, в ушах"],
)
def test_a_sensation_without_a_sequence_stays_sensory_awareness(text: str) -> None:
    """The same sound stated for itself stays sensory awareness."""
    assert "sensory_awareness" in validate(text).phenomena


@pytest.mark.parametrize(
    "text",
    [
        "тишина в читалке, и я считаю щелчки про себя: раз.. два.. три",
        "в читалке тихо, говорю себе: «ещё страница»",
    ],
)
def test_a_reading_room_is_not_reading(text: str) -> None:
    """«Читалка» (a reading room) is a place, not reading: the words said stay inner speech."""
    assert "inner_speech" in validate(text).phenomena


@pytest.mark.parametrize(
    "text",
    [
        "At the beep I was looking at a column of figures. That's all I can really say.",
        "В момент сигнала смотрел в окно на столбы. Больше ничего не помню.",
    ],
)
def test_all_one_can_say_is_not_only_the_doing(text: str) -> None:
    """ "That's all I can say", «больше ничего не помню» is a limit of the report, not a
    statement that only the doing was there."""
    assert "just_doing" not in validate(text).phenomena


@pytest.mark.parametrize(
    "text",
    [
        "wordless: the check would bounce. heat climbing up my neck",
        "no words: he was lying. cold in my stomach",
        "без слов: чек не пройдёт. жар ползёт по шее",
    ],
)
def test_no_words_then_a_colon_is_a_wordless_thought(text: str) -> None:
    """A "no words" followed by a colon gives what was known: a wordless thought."""
    found = validate(text).phenomena
    assert "unsymbolized_thinking" in found
    assert "just_doing" not in found


@pytest.mark.parametrize(
    "text",
    [
        "He was bored at the beep because the lecture covered material he knew, which is why he "
        "tends to zone out.",
        "Мне было скучно, потому что на планёрках мне всегда скучно, а это значит, что работа "
        "мне не подходит.",
    ],
)
def test_a_feeling_explained_as_a_habit_is_not_of_the_moment(text: str) -> None:
    """A feeling whose sentence explains it as a habit, in a report of reasons, is the usual
    one, not a feeling apprehended at the beep."""
    assert "feeling" not in validate(text).phenomena


@pytest.mark.parametrize(
    "text",
    [
        "bored at the beep because the lecture was slow. I always zone out.",
        "мне было скучно, потому что лекция медленная. Я всегда отключаюсь.",
    ],
)
def test_a_feeling_beside_a_habit_in_another_sentence_stays(text: str) -> None:
    """A habit in another sentence does not take the feeling of the moment away."""
    assert "feeling" in validate(text).phenomena


@pytest.mark.parametrize(
    "text",
    [
        "the bassline from my lesson looping in my head",
        "my old ringtone stuck in my head, the marimba one",
        "в башке крутится рингтон соседки, с колокольчиками",
        "барабаны со вчерашней репетиции долбят в голове",
    ],
)
def test_a_ringtone_a_bassline_or_drums_in_the_head_are_inner_hearing(text: str) -> None:
    """Every kind of music (a ringtone, a bassline, drums) playing in the head, «в башке» as
    much as «в голове», is inner hearing."""
    assert "inner_hearing" in validate(text).phenomena


@pytest.mark.parametrize(
    "text",
    [
        "пятка горит в новом кроссовке, одно место натёрто",
        "ладонь горит после верёвки",
        "rain on the skylight, a fine irregular patter",
        "the radiator rattle, clang clang every few seconds",
    ],
)
def test_a_burning_body_part_or_a_sound_stated_for_itself_is_sensory_awareness(text: str) -> None:
    """A body part burning or chafed («пятка горит») and a sound named for itself (a patter,
    a rattle) are sensory content of the moment."""
    assert "sensory_awareness" in validate(text).phenomena


@pytest.mark.parametrize(
    "text",
    [
        "страшно, коленки ватные, через минуту на сцену",
        "стыдно, щёчки горят",
        "scared, knees wobbly, on stage in a minute",
        "ashamed, cheeks burning",
    ],
)
def test_the_body_of_a_named_feeling_is_the_feeling(text: str) -> None:
    """A body part named the familiar way («коленки», «щёчки») beside a named feeling is the
    feeling's bodily side: a feeling with its detail, not sensory awareness nor a lone label."""
    assessment = validate(text)
    assert assessment.phenomena == {"feeling"}
    assert "abstract_label" not in assessment.issue_codes


@pytest.mark.parametrize(
    "text",
    ["dreading the call, a heaviness behind my breastbone", "завидно. кольнуло под рёбрами"],
)
def test_a_feeling_with_its_bodily_sensation_is_no_lone_label(text: str) -> None:
    """A feeling beside a bodily sensation has experiential detail: not an abstract label."""
    assert "abstract_label" not in validate(text).issue_codes


@pytest.mark.parametrize(
    "text",
    [
        'I told my son "put your shoes on" and he ignored me',
        'I asked the cashier "do you take cards?"',
        "спросила у кассира: «картой можно?»",
        "Я сказала сыну: «обувайся», а он не слушал",
    ],
)
def test_words_said_to_a_person_are_not_inner_speech(text: str) -> None:
    """Words told or asked to someone ("told my son", «спросила у кассира») are speech to
    others, not inner speech."""
    assert "inner_speech" not in validate(text).phenomena


@pytest.mark.parametrize("text", ['I told myself "calm down"', "сказала себе: «спокойно»"])
def test_words_told_to_oneself_stay_inner_speech(text: str) -> None:
    """Words told to oneself stay inner speech."""
    assert "inner_speech" in validate(text).phenomena


@pytest.mark.parametrize(
    "text",
    [
        "надо купить холодный чай по дороге",
        "нужно забрать тёплую куртку из химчистки",
        "I need to get the icy cold drinks for the party",
        "gotta buy the sticky tape on the way",
    ],
)
def test_a_sensory_word_in_a_need_or_a_plan_is_not_sensory_awareness(text: str) -> None:
    """A quality in a clause of what one needs or has to do is a plan, not a sensation."""
    assert "sensory_awareness" not in validate(text).phenomena


@pytest.mark.parametrize(
    "text",
    [
        "обожаю запах кофе по утрам",
        "по вечерам на балконе пахнет липой",
        "love the smell of coffee in the mornings",
        "on weekends the flat smells of bleach",
    ],
)
def test_a_sensation_of_the_mornings_or_weekends_is_a_habit(text: str) -> None:
    """ "In the mornings", «по утрам»: a habit, not the moment."""
    assert "sensory_awareness" not in validate(text).phenomena


@pytest.mark.parametrize(
    "text",
    ["холодный чай, горький, во рту вяжет", "cold tea, bitter, my mouth puckering"],
)
def test_a_quality_stated_for_itself_stays_sensory_awareness(text: str) -> None:
    """Without a need, a plan or a habit the same quality stays sensory awareness."""
    assert "sensory_awareness" in validate(text).phenomena


@pytest.mark.parametrize(
    "text",
    [
        "the beach in Crete from last summer, white pebbles",
        "the kitchen years ago, yellow lino",
        "пляж в Анапе прошлым летом, белая галька",
        "наш двор в детстве, качели скрипят",
    ],
)
def test_a_place_named_with_a_time_long_past_is_inner_seeing(text: str) -> None:
    """A place that opens the report with a time long past after it ("from last summer",
    «в детстве») is a scene seen while absent: inner seeing."""
    assert "inner_seeing" in validate(text).phenomena


@pytest.mark.parametrize(
    "text",
    [
        "we went to the beach last summer, it was hot",
        "ездили на пляж прошлым летом, было жарко",
    ],
)
def test_an_outing_told_is_not_a_scene_seen(text: str) -> None:
    """An outing told with its time ("we went to the beach last summer") is a narrative of the
    past, not a scene seen."""
    assert "inner_seeing" not in validate(text).phenomena


@pytest.mark.parametrize(
    "text",
    [
        "может тревога была, может нет, хз",
        "может злость была, не знаю",
        "maybe anxiety was there, maybe not, idk",
    ],
)
def test_a_feeling_guessed_with_maybe_is_not_a_feeling(text: str) -> None:
    """«Может тревога была» (maybe there was anxiety) is a guess, a hedge as «может быть» is."""
    assessment = validate(text)
    assert "feeling" not in assessment.phenomena
    assert "hedging" in assessment.issue_codes
