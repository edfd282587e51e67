"""Checks on a report's text before it is validated: one sentence repeated over and over.

A report made of the same sentence pasted many times is not a careful description of one moment;
scoring it as written lets the repetition inflate the evidence (every copy counts again). The
study validates such a report with each sentence once and tells the participant why.
"""

from __future__ import annotations

import re

import attrs

__all__ = ["Repetition", "find_repetition"]

_SENTENCE = re.compile(r"[^.!?…\n]+[.!?…]*")
_NON_WORD = re.compile(r"[\W_]+")
#: A sentence must come at least this often...
MIN_REPEATS = 3
#: ...and make up at least this share of the sentences for the report to count as repetitive.
MIN_SHARE = 0.5


@attrs.frozen
class Repetition:
    """A repetitive report: how often its commonest sentence came and the text with each once.

    Attributes:
        times: How many times the commonest sentence came.
        deduplicated: The report with every repeated sentence kept only the first time.
    """

    times: int
    deduplicated: str


def find_repetition(text: str) -> Repetition | None:
    """The :class:`Repetition` of ``text``, or None when no sentence dominates by repetition."""
    sentences = [m.group(0).strip() for m in _SENTENCE.finditer(text) if m.group(0).strip()]
    keys = [_NON_WORD.sub(" ", s.casefold()).strip() for s in sentences]
    counts: dict[str, int] = {}
    for key in keys:
        if key:
            counts[key] = counts.get(key, 0) + 1
    if not counts:
        return None
    times = max(counts.values())
    if times < MIN_REPEATS or times < MIN_SHARE * len(keys):
        return None
    seen: set[str] = set()
    kept: list[str] = []
    for sentence, key in zip(sentences, keys, strict=True):
        if key not in seen:
            seen.add(key)
            kept.append(sentence)
    return Repetition(times, " ".join(kept))
