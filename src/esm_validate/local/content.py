"""Experiential content of a report, found clause by clause from the content lexicons.

A clause ("cold keys in my pocket", «плечи каменные», «во рту горечь от таблетки») holds
*sensory* content when it has a sensory quality, a sensory thing or a sensation verb, and
*bodily* content when it has a bodily sensation, or a body part together with a quality or a
sensation verb. A figurative quality («тяжелый день», "a hard day") is content only beside a body
part or a sensory thing. A substance ("grit", «песок») is content only beside a body part
("grit between my teeth", «на губах соль»). A colour is content in a clause after a look in its
sentence ("looking at the frost on the glass, white on grey"). :func:`content_hits` files these
clauses as derived hit categories:

* ``x_sensory`` / ``x_bodily``: the clauses with sensory / bodily content;
* ``x_detail``: concrete, momentary outward detail (a number, a quoted word, a colour, a
  quality of what one was busy with, without an attention verb): it anchors a behaviour report
  to the moment without making it experience.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from .report import Span, sentence_at

__all__ = ["content_hits"]

#: The punctuation marks that bound a clause.
_MARK = re.compile(r"[,;:.!?…—–()+\n]")


#: Up to the last punctuation mark (greedy, so the match ends just after it).
_THROUGH_MARK = re.compile(r".*[,;:.!?…—–()+\n]", re.DOTALL)


def _clause_at(text: str, low: int, position: int) -> Span:
    """The clause around ``position`` (a word start, never a mark): from the punctuation mark
    before it to the one after. Every mark before ``low`` lies before another one at ``low``
    or later, so only ``text[low:position]`` is searched backwards (``low`` = 0 is always
    right): two short searches instead of a scan of the whole text."""
    before = _THROUGH_MARK.match(text, low, position)
    after = _MARK.search(text, position)
    return (
        before.end() if before is not None else 0,
        after.start() if after is not None else len(text),
    )


_SPAN = re.Match.span
#: An activity marker that is a place: a preposition first ("at my desk", «на кухне»).
_PLACE = ("in ", "at ", "on ", "в ", "во ", "на ", "за ", "у ")
_NUMBER = re.compile(r"\d+")
_STRONG = ("c_quality", "c_sense", "c_sense_verb", "c_body_feel")
_WEAK = ("c_quality_weak", "c_colour")


def hit_starts(hits: Mapping[str, tuple[Span, ...]], names: tuple[str, ...]) -> list[int]:
    """Where the hits of the categories ``names`` start."""
    found: list[int] = []
    for name in names:
        for start, _ in hits.get(name, ()):
            found.append(start)
    return found


def any_within(positions: list[int], start: int, end: int) -> bool:
    """True when one of ``positions`` lies within ``start``..``end`` (``end`` excluded)."""
    # (a loop: a generator in any() costs a call on Python 3.11)
    for position in positions:  # noqa: SIM110
        if start <= position < end:
            return True
    return False


def content_hits(
    hits: Mapping[str, tuple[Span, ...]],
    normalised: str,
    quotes: tuple[Span, ...],
    sentences: tuple[Span, ...],
    digits: bool = True,
) -> dict[str, tuple[Span, ...]]:
    """The derived ``x_*`` categories of a report (see the module docstring); ``digits`` False
    says that the text has no digit (no search for numbers then)."""
    strong = hit_starts(hits, _STRONG)
    weak = hit_starts(hits, _WEAK)
    parts = hit_starts(hits, ("c_body_part",))
    matter = hit_starts(hits, ("c_matter",)) if parts else []
    found: dict[str, tuple[Span, ...]] = {}
    detail: list[Span] = list(map(_SPAN, _NUMBER.finditer(normalised))) if digits else []
    detail.extend(quotes)
    if strong or weak or matter:
        sensory: list[Span] = []
        bodily: list[Span] = []
        feel = hit_starts(
            hits, ("c_body_feel", "c_sense_verb", "c_quality", "c_quality_weak", "c_sense")
        )
        things = hit_starts(hits, ("c_sense", "c_body_part"))
        sensations = hit_starts(hits, ("c_body_feel",))
        # (a place, "in the car", «на кухне», is where one was, not what one was busy with)
        busy = [s for s, _ in hits.get("activity", ()) if not normalised.startswith(_PLACE, s)]
        attends = hit_starts(hits, ("sensory_attend",))
        # (a look earlier in the sentence: the colours after it are what was looked at)
        looks = hit_starts(hits, ("sensory_attend", "gaze"))
        colours = hit_starts(hits, ("c_colour",))
        serving = hit_starts(hits, ("instrumental",))
        # (a thought's topic is what follows "thinking about": a clause before it is not one)
        topics = hit_starts(hits, ("thinking_unspecified",))
        # Only the clauses that hold a content word are looked at: each found once, from the
        # content word's offset (the clause runs between the punctuation marks around it).
        done = 0
        for position in sorted(strong + weak + matter):
            if position < done:
                continue
            # (the previous clause ends at a mark before ``position``: the search starts there)
            start, end = _clause_at(normalised, done, position)
            done = end
            has_strong = any_within(strong, start, end)
            has_weak = any_within(weak, start, end)
            sentence = sentence_at(sentences, start)
            if (
                (any_within(busy, start, end) and not any_within(attends, start, end))
                or any_within(serving, sentence[0], sentence[1])
                or any_within(topics, sentence[0], end)
            ):
                # a quality of what one was busy with, of what a task needed, of a thought's
                # topic: outward detail, not experience
                detail.append((start, end))
            elif any_within(sensations, start, end) or (
                any_within(parts, start, end) and any_within(feel, start, end)
            ):
                bodily.append((start, end))
            elif has_strong or (
                has_weak
                and (
                    any_within(things, start, end)
                    or (any_within(colours, start, end) and any_within(looks, sentence[0], start))
                )
            ):
                sensory.append((start, end))
            elif has_weak:
                detail.append((start, end))  # a colour or a plain quality: outward detail
            elif any_within(parts, start, end):
                bodily.append((start, end))  # a substance on or in the body, felt
        if sensory:
            found["x_sensory"] = tuple(sensory)
        if bodily:
            found["x_bodily"] = tuple(bodily)
    if detail:
        detail.sort()
        found["x_detail"] = tuple(detail)
    return found
