"""A report made of one sentence pasted over and over: found, and validated with each once.

Scored as written, the repetition would inflate the evidence (every copy counts again).
"""

from __future__ import annotations

import collections
import re

import attrs

__all__ = ["Repetition", "find_repetition"]

_SENTENCE = re.compile(r"[^.!?…\n]+[.!?…]*")
_NON_WORD = re.compile(r"[\W_]+")
#: A sentence must come at least this often and make up this share of the sentences.
MIN_REPEATS = 3
MIN_SHARE = 0.5


@attrs.frozen
class Repetition:
    """How often the commonest sentence came (``times``) and the report with each sentence once
    (``deduplicated``)."""

    times: int
    deduplicated: str


def find_repetition(text: str) -> Repetition | None:
    """The :class:`Repetition` of ``text``, or None when no sentence dominates by repetition."""
    sentences = [m.group(0).strip() for m in _SENTENCE.finditer(text) if m.group(0).strip()]
    keys = [_NON_WORD.sub(" ", s.casefold()).strip() for s in sentences]
    counts = collections.Counter(key for key in keys if key)
    times = max(counts.values(), default=0)
    if times < MIN_REPEATS or times < MIN_SHARE * len(keys):
        return None
    kept: dict[str, str] = {}
    for key, sentence in zip(keys, sentences, strict=True):
        kept.setdefault(key, sentence)  # each sentence the first time it came
    return Repetition(times, " ".join(kept.values()))
