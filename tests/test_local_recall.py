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
