"""Phenomena of the moment of the beep (issue 13, precision): what a report says was felt, seen
or said is a phenomenon only when it was there at the moment, the reporter's own, and given
with its content. Each case is in both languages."""

from __future__ import annotations

import pytest

from esm_validate import validate


@pytest.mark.parametrize(
    "text",
    [
        "if i get it all done by monday i'll be calm",
        "Если всё успею, то в понедельник станет спокойно.",
        "i would be so relieved if he called",
        "Мне было бы обидно, если бы он забыл.",
        "the usual sadness about it, nothing new",
        "обычная моя тревога, ничего нового",
    ],
)
def test_a_hypothetical_coming_or_usual_feeling_is_not_of_the_moment(text: str) -> None:
    """A feeling in a clause of a condition, of what will be or would be, or of the usual, was
    not felt at the beep."""
    assert "feeling" not in validate(text).phenomena


@pytest.mark.parametrize(
    "text",
    [
        "this whole month ive been stressed about the wedding",
        "Over the course of the afternoon, I had been worrying about my mother.",
        "most of the day i was anxious about the exam",
        "Весь месяц переживаю из-за свадьбы.",
        "Большую часть дня тревожилась из-за экзамена.",
        "последнее время такая тревожность",
    ],
)
def test_a_feeling_over_a_period_is_not_of_the_moment(text: str) -> None:
    """A feeling held over a month, an afternoon or most of a day is a period, not the moment
    (and the report is flagged as not momentary)."""
    assessment = validate(text)
    assert "feeling" not in assessment.phenomena


@pytest.mark.parametrize(
    "text",
    [
        "a cold drop in my stomach that I would call dismay",
        "annoyed, jaw tight",
        "злюсь, челюсть сжата",
    ],
)
def test_a_feeling_named_at_the_moment_stays(text: str) -> None:
    """Naming a feeling ("that I would call dismay") is no condition: it stays."""
    assert "feeling" in validate(text).phenomena


@pytest.mark.parametrize(
    "text",
    [
        "Ben says he is a very visual person and that he was probably picturing the beach, since "
        "he usually does when he is tired of work.",
        "Не спала, ворочалась уже больше часа. У меня часто бывает бессонница, потому что "
        "много работы. В такие ночи в голове крутится всё подряд: разговоры, дела. Думаю, и в "
        "момент сигнала было что-то такое.",
        "Honestly I was trying to work out which moment counts, the beep or before it, because "
        "I usually overthink. I guess I was just sitting there, nothing else.",
        "Честно говоря, я пыталась понять, какой момент имеется в виду, потому что я обычно "
        "путаюсь. Наверное, просто сидела с телефоном, и всё.",
    ],
)
def test_a_report_of_habits_reasons_and_hedges_shows_no_phenomenon(text: str) -> None:
    """Three kinds of non-pristine markers (a habit or theory, a reason, a hedge, an inference,
    a period) and the report describes no apprehended moment: an image, words or a doing in it
    are guesses about the usual, not phenomena."""
    assert validate(text).phenomena == frozenset()


@pytest.mark.parametrize(
    "text",
    [
        'I was saying to myself "where are the keys". The words were in my own voice, a bit '
        "impatient.",
        "Я мысленно сказала себе: «так, сначала почта». Голос был мой, спокойный, деловой.",
        "hearing my aunt's voice say 'come in, come in', her voice high and cheerful",
        "в голове голос тёти «заходи, заходи», голос весёлый",
    ],
)
def test_a_feeling_word_that_describes_a_voice_is_not_a_feeling(text: str) -> None:
    """A feeling word just after a voice, a tone or words describes them: the speech or the
    hearing is the phenomenon, not a feeling."""
    phenomena = validate(text).phenomena
    assert "feeling" not in phenomena
    assert phenomena & {"inner_speech", "inner_hearing"}


@pytest.mark.parametrize(
    "text",
    [
        "mom's voice in my head 'you never call', her tone, and then guilt, stomach dropped",
        "в голове голос сестры «ты опять всё перепутала», её тон, и обидно стало, в носу защипало",
    ],
)
def test_a_feeling_after_a_voice_in_a_clause_of_its_own_stays(text: str) -> None:
    """After a comma and a conjunction the feeling is said for itself."""
    assert "feeling" in validate(text).phenomena


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("no words, just: is he mad at me?", False),
        ("я думала, что она обиделась на меня", False),
        ("she was angry and i was scared, heart pounding", True),
        ("он злился, а мне было страшно", True),
        ("She was feeling anxious, a knot in her stomach.", True),
    ],
)
def test_another_persons_feeling_is_not_the_reporters(text: str, kept: bool) -> None:
    """A feeling word with a third-person subject in a first-person report is someone else's
    (the topic of a thought), not a feeling of the reporter; the reporter's own beside it, and
    a report written about the participant in the third person, keep theirs."""
    assert ("feeling" in validate(text).phenomena) is kept


@pytest.mark.parametrize(
    "text",
    [
        'At the beep I was saying to myself "done" in my own voice, relieved.',
        "Сказала себе «готово» своим голосом, с облегчением, радостно.",
    ],
)
def test_the_speakers_feeling_after_a_manner_stays(text: str) -> None:
    """After "in my own voice" (a manner of saying), a feeling word is the speaker's state."""
    assert {"inner_speech", "feeling"} <= validate(text).phenomena


@pytest.mark.parametrize(
    "text",
    [
        "talking to myself about work",
        "inner monologue going re the meeting",
        "разговаривала сама с собой про работу",
        "мысленно проговаривала насчет отпуска",
    ],
)
def test_speech_named_with_only_its_topic_is_a_presupposition(text: str) -> None:
    """What the speech was about is not its words: the form is named, the content is not."""
    assessment = validate(text)
    assert "inner_speech" not in assessment.phenomena
    assert "presupposition" in assessment.issue_codes


@pytest.mark.parametrize(
    "text",
    [
        "pictured something, not sure what",
        "картинка какая-то была",
        "какая-то картинка была, не разобрала",
        "наверное что-то представляла, но что не скажу",
        "разговаривала сама с собой, но о чём — не запомнила",
    ],
)
def test_a_form_whose_content_is_declared_unknown_is_no_phenomenon(text: str) -> None:
    """An image or words whose content the reporter says they cannot give are a form named
    without content (a presupposition), not inner seeing or inner speech."""
    assert validate(text).phenomena.isdisjoint({"inner_seeing", "inner_speech"})


@pytest.mark.parametrize(
    "text",
    [
        "про себя считаю раз-два-три-четыре на каждый вдох",
        "told myself about time, 'go now'",
        "saying to myself: about time",
        "сказала себе: «о боже, опять»",
    ],
)
def test_speech_with_its_words_stays_inner_speech(text: str) -> None:
    """«про себя» is a frame, and a topic word inside the words given is part of them."""
    assert "inner_speech" in validate(text).phenomena


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I was anxious, a churning in my stomach. There were no words or images with it.", set()),
        ("тревога, ком в горле. без слов и без образов", set()),
        ("angry, and without words I knew he had lied", {"unsymbolized_thinking"}),
        ("злилась, и без слов знала, что он соврал", {"unsymbolized_thinking"}),
    ],
)
def test_no_words_beside_a_feeling_is_the_feelings_form(text: str, expected: set[str]) -> None:
    """ "No words or images" beside a feeling says how the feeling was, not that a wordless
    thought was there; a knowing without words is still one."""
    phenomena = validate(text).phenomena
    assert "feeling" in phenomena
    assert phenomena & {"unsymbolized_thinking"} == expected


@pytest.mark.parametrize(
    "text",
    [
        "I felt a dull dread, cold, somewhere under my ribs",
        "Я ощутила тревогу — она была где-то под рёбрами, как холодный комок.",
        "she was feeling a quiet sadness, heavy in her arms",
        "тихая грусть, и всё",
    ],
)
def test_a_feeling_felt_and_its_qualities_are_a_feeling(text: str) -> None:
    """A feeling as the object of "felt" / «ощутила», or a sensory word that qualifies the
    feeling ("a quiet sadness"), is a feeling, not sensory awareness."""
    phenomena = validate(text).phenomena
    assert "feeling" in phenomena
    assert "sensory_awareness" not in phenomena


@pytest.mark.parametrize(
    "text",
    ["annoyed, and the fridge humming loudly", "раздражение, и холодильник громко гудит"],
)
def test_a_sensation_beside_a_feeling_stays_sensory_awareness(text: str) -> None:
    """A sensory clause of its own beside a feeling is still sensory awareness."""
    assert {"feeling", "sensory_awareness"} <= validate(text).phenomena


@pytest.mark.parametrize(
    "text",
    [
        "At the beep, Lena was saying to herself 'not again', in a disgusted tone.",
        "В момент сигнала Лена говорила себе «только не опять» брезгливым тоном.",
    ],
)
def test_a_report_about_a_participant_has_her_inner_speech(text: str) -> None:
    """A report written about the participant ("saying to herself") has inner speech, and the
    tone of it is no feeling."""
    assert validate(text).phenomena == {"inner_speech"}


def test_a_feeling_word_after_words_described_at_length_is_their_tone() -> None:
    """In "the words were in my own voice, slightly impatient" the words are described."""
    text = (
        'I was saying to myself, "where is the folder?" The words were in my own voice, slightly '
        "impatient."
    )
    assert validate(text).phenomena == {"inner_speech"}


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("mopping the floor, nothing else probably", False),
        ("мыла пол, в голове пусто вроде", False),
        ("наверное, просто мыла пол, ничего больше", False),
        ("just mopping the floor, nothing else", True),
        ("мыла пол, и всё, ничего больше", True),
    ],
)
def test_a_guessed_doing_is_not_just_doing(text: str, kept: bool) -> None:
    """ "Only the doing" governed by a hedge in its clause or before it is a guess, not a doing
    apprehended at the moment."""
    assert ("just_doing" in validate(text).phenomena) is kept


@pytest.mark.parametrize(
    "text", ["reading a text and hearing it in my head", "читала статью и слышала её в голове"]
)
def test_the_text_heard_while_reading_is_a_question_not_inner_hearing(text: str) -> None:
    """The text one reads, heard inside ("hearing it in my head"), is asked about
    (reading_inner_voice), not counted as inner hearing."""
    assessment = validate(text)
    assert "inner_hearing" not in assessment.phenomena
    assert "reading_inner_voice" in assessment.issue_codes


@pytest.mark.parametrize(
    "text",
    [
        "rn im just wondering what counts as an experience",
        "When my phone went off I was a bit startled, and then I was wondering what I should "
        "write here.",
        "было ощущение, что считается только мысль",
    ],
)
def test_wondering_about_the_study_is_a_reaction_not_a_thought(text: str) -> None:
    """A wondering about the study or the bot, even one that runs into the reaction's words,
    is the reaction to the beep, not a wordless thought of the moment."""
    assessment = validate(text)
    assert "reaction_to_beep" in assessment.issue_codes
    assert "unsymbolized_thinking" not in assessment.phenomena
