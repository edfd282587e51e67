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
