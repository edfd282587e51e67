"""English messages: issue explanations, feedback tips and strengths.

``{quote}`` is replaced by the participant's own words (the evidence of the issue).
Wording follows DES practice: describe, do not explain; the moment of the beep; "nothing" is fine.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "FEEDBACK",
    "FEEDBACK_INFORMAL",
    "FOLLOW_UP",
    "FOLLOW_UP_INFORMAL",
    "ISSUES",
    "PRAISE",
    "PRAISE_INFORMAL",
    "STRENGTHS",
]

#: One short explanation per issue code (shown in ``Issue.message``).
ISSUES: Final[dict[str, str]] = {
    "empty": "The report is empty.",
    "too_short": "The report is too short to say what was in experience.",
    "avoidance": "“{quote}” does not say what was in your experience at the beep.",
    "generalization": "“{quote}” is a generalisation; DES is about this one moment.",
    "not_momentary": "“{quote}” points to a period or another time, not the moment of the beep.",
    "theorizing": "“{quote}” explains or interprets; DES asks only what was there.",
    "hedging": "“{quote}” hedges; say what was there, or say you don't know.",
    "behavior_only": "The report describes activity or context, not experience.",
    "unspecified_thinking": "“{quote}” gives the content of a thought but not its form.",
    "reaction_to_beep": "“{quote}” is about the reaction to the beep, not what it interrupted.",
    "abstract_label": "“{quote}” is a label; how was it present in experience?",
    "reading_inner_voice": "An inner voice while reading: worth a follow-up question.",
    "inferred": "“{quote}” infers what must have been there instead of reporting it.",
    "presupposition": "“{quote}” names a form (inner speech) but not its words.",
    "presupposition_form": "“{quote}” names a form (an image or a sound) but not what was in it.",
}

#: One specific, kind, actionable tip per issue code; ``{quote}`` is the participant's words.
FEEDBACK: Final[dict[str, str]] = {
    "behavior_only_scene": (
        "You described a scene. Was it in front of you, or seen in your imagination? And what "
        "was in your experience at the beep: words, an image, a feeling, a sensation?"
    ),
    "presupposition": (
        "You wrote “{quote}”. If there were inner words at the beep, what exactly were they, word "
        "for word, and in whose voice?"
    ),
    "presupposition_form": (
        "You wrote “{quote}”. If there was an image or a sound at the beep, what exactly was in "
        "it: what did you see or hear (for a tune: which one, which words or notes), and in what "
        "detail?"
    ),
    "empty": "Write a line or two about what was in your experience at the moment of the beep.",
    "too_short": (
        "Add a little more: what exactly was in your experience at the moment of the beep "
        "(words, an image, a feeling, a sensation, or nothing)?"
    ),
    "avoidance": (
        "You wrote “{quote}”. Even an ordinary moment has something in it: next time, say what "
        "was there, however plain: something you saw or heard, a sensation in your body, a word, "
        "an image, a feeling."
    ),
    "generalization": (
        "You wrote “{quote}”: that describes you in general. Next time, describe only this one "
        "moment, just before the beep, even if it was unusual."
    ),
    "not_momentary": (
        "“{quote}” takes in more than the moment. Try to catch just the last instant before the "
        "beep, like a single frame of a film."
    ),
    "theorizing": (
        "“{quote}” explains why. Leave the reasons out: just describe what was present in "
        "experience at the beep."
    ),
    "hedging": (
        "You wrote “{quote}”. Report only what you directly noticed; if you are unsure, it is "
        "fine to say “I don't know”."
    ),
    "behavior_only": (
        "You described what you were doing. What was in your experience while doing it: words, "
        "an image, a feeling, a sensation, or nothing at all?"
    ),
    "unspecified_thinking": (
        "You wrote “{quote}”. In what form was the thought: words in your voice, a picture, a "
        "wordless knowing, or a feeling?"
    ),
    "reaction_to_beep": (
        "“{quote}” describes the reaction to the beep. Aim for the moment the beep interrupted, "
        "just before it sounded."
    ),
    "abstract_label": (
        "You named “{quote}”. How was it present at that moment: where in the body, how strong, "
        "what was it like?"
    ),
    "reading_inner_voice": (
        "You mention a voice while reading. At the beep, were you innerly saying the words of the "
        "text, hearing them, or something else? Notice it next time you read."
    ),
    "inferred": (
        "“{quote}” is a guess about what must have been there. Report only what you directly "
        "caught; “I don't know” is a fine answer."
    ),
}

#: Follow-up questions attached to some issues.
FOLLOW_UP: Final[dict[str, str]] = {
    "reading_inner_voice": (
        "At the beep, were you saying the text's words in your own voice, hearing them, seeing "
        "them, or was something else present?"
    ),
    "unspecified_thinking": "Words? A picture? A thought without words? A feeling?",
}

#: Short notes on what a report did well, by strength code.
STRENGTHS: Final[dict[str, str]] = {
    "moment": "anchored to the moment of the beep",
    "inner_speech": "gives the inner words",
    "inner_seeing": "describes an inner image",
    "inner_hearing": "describes what was heard innerly",
    "unsymbolized_thinking": "notes a thought without words or images",
    "feeling": "names a feeling that was present",
    "bodily": "says where the feeling was felt in the body",
    "sensory_awareness": "describes a sensory quality attended to",
    "detail": "concrete experiential detail",
    "honest_blank": "honestly reports that nothing was there",
    "no_theory": "describes without explaining",
    "just_doing": "notes that only the doing was there",
}

#: Feedback when nothing needs fixing, by training day (1, 2, 3).
PRAISE: Final[dict[int, str]] = {
    1: (
        "Well caught: this is the moment of the beep. Keep aiming at that last instant before "
        "the beep, and say how it was present."
    ),
    2: (
        "Good, concrete detail of the moment. Keep describing only what was there, without "
        "explaining why."
    ),
    3: "A clear, faithful description of the moment. Keep it just like this.",
}


#: English has one "you": the informal catalogues are the same objects.
FEEDBACK_INFORMAL: Final[dict[str, str]] = FEEDBACK
FOLLOW_UP_INFORMAL: Final[dict[str, str]] = FOLLOW_UP
PRAISE_INFORMAL: Final[dict[int, str]] = PRAISE
