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
