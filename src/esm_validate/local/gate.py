"""Where marker patterns can match: the candidate positions of each category in a text.

From each category's regular expression we derive the set of literal prefixes (at most eight
characters; a run of whitespace counts as one space) that any match must start with. The text's
word starts are indexed by the same prefixes, so each category's regex is tried only at the word
starts where it can match (``pattern.match(text, pos)``) instead of scanning the whole text. The
derivation over-approximates: a pattern that may start with anything gets the empty prefix and is
scanned in full, so gating never loses a hit; it only saves time.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, MutableMapping, Sequence
from re import _parser as _sre_parse  # type: ignore[attr-defined]  # the regex parser (3.11+)
from typing import Any, TypeVar

__all__ = [
    "PREFIX_LENGTH",
    "branch_map",
    "first_prefixes",
    "lookup",
    "prefix_map",
    "top_branches",
    "viable_branches",
]

#: Longest prefix used for gating.
PREFIX_LENGTH = 8

_c = _sre_parse  # the opcode constants live on the parser module
_ZERO_WIDTH = {_c.AT, _c.ASSERT, _c.ASSERT_NOT}
_SPACE_CLASS = [(_c.CATEGORY, _c.CATEGORY_SPACE)]

_State = frozenset[tuple[str, bool]]  # (prefix so far, finished)
_T = TypeVar("_T")


def _finish(state: _State) -> _State:
    return frozenset((text, True) for text, _ in state)


def _append(state: _State, char: str) -> _State:
    return frozenset(
        (text, True) if done or len(text) >= PREFIX_LENGTH else (text + char, False)
        for text, done in state
    )


def _is_space(items: Sequence[tuple[Any, Any]]) -> bool:
    return len(items) == 1 and items[0][0] is _c.IN and list(items[0][1]) == _SPACE_CLASS


def _extend(state: _State, items: Iterable[tuple[Any, Any]]) -> _State:
    for op, av in items:
        if all(done or len(text) >= PREFIX_LENGTH for text, done in state):
            return state
        if op is _c.LITERAL:
            state = _append(state, chr(av))
        elif op is _c.SUBPATTERN:
            state = _extend(state, av[-1])
        elif op is _c.BRANCH:
            merged: set[tuple[str, bool]] = set()
            for branch in av[1]:
                merged |= _extend(state, branch)
            state = frozenset(merged)
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT):
            low, high, body = av
            if _is_space(body):  # \s+ / \s* : the index writes any whitespace run as one space
                spaced = _append(state, " ")
                state = spaced | state if low == 0 else spaced
                continue
            once = _extend(state, body)
            state = once | state if low == 0 else once
            if high != 1:
                state = _finish(state)
        elif op is _c.IN and list(av) == _SPACE_CLASS:
            state = _append(state, " ")
        elif op in _ZERO_WIDTH:
            continue
        else:  # a class, any character, a category: the prefix cannot grow past here
            state = _finish(state)
    return state


def first_prefixes(pattern: str) -> frozenset[str]:
    """The prefixes (<= 4 characters) every match of ``pattern`` starts with.

    Contains ``""`` when a match may start with anything (then the pattern is scanned in full).
    """
    parsed: Sequence[tuple[Any, Any]] = _sre_parse.parse(pattern)
    state = _extend(frozenset({("", False)}), parsed)
    return frozenset(text for text, _ in state)


def prefix_map(
    prefixes: Mapping[str, frozenset[str]], values: Mapping[str, _T]
) -> dict[str, tuple[_T, ...]]:
    """Invert category → prefixes into prefix → the categories' ``values`` (no empty prefix)."""
    inverted: dict[str, list[_T]] = {}
    for name, found in prefixes.items():
        for prefix in found:
            if prefix:
                inverted.setdefault(prefix, []).append(values[name])
    return {prefix: tuple(found) for prefix, found in inverted.items()}


def lookup(
    normalised: str,
    start: int,
    by_prefix: Mapping[str, tuple[_T, ...]],
    memo: MutableMapping[str, tuple[_T, ...]],
    narrow: Callable[[str, tuple[_T, ...]], tuple[_T, ...]] | None = None,
) -> tuple[_T, ...]:
    """The categories (their ``by_prefix`` values) that may match at the word start ``start``.

    ``normalised`` has every whitespace character written as a space (see ``normalise``), so the
    first :data:`PREFIX_LENGTH` characters at a word start, runs of spaces collapsed to one, are
    the key. ``narrow(key, categories)``, when given, may replace each category by a cheaper
    equivalent for that key (see :func:`branch_map`). ``memo`` caches key → categories;
    callers look the plain slice up in ``memo`` first and call this only on a miss. The memo
    only ever holds derived constants, so sharing it between threads is safe, and it stops
    growing at :data:`_MEMO_LIMIT` keys.
    """
    key = normalised[start : start + PREFIX_LENGTH]
    if "  " in key:
        key = _SPACES.sub(" ", normalised[start : start + 4 * PREFIX_LENGTH])[:PREFIX_LENGTH]
    found = memo.get(key)
    if found is None:
        found = _categories_of(key, by_prefix)
        if narrow is not None:
            found = narrow(key, found)
        if len(memo) < _MEMO_LIMIT:
            memo[key] = found
    return found


_MEMO_LIMIT = 100_000
_SPACES = re.compile(" +")


def _categories_of(key: str, by_prefix: Mapping[str, tuple[_T, ...]]) -> tuple[_T, ...]:
    found: list[_T] = []
    for size in range(1, len(key) + 1):
        for value in by_prefix.get(key[:size], ()):
            if all(value is not seen for seen in found):
                found.append(value)
    return tuple(found)


def top_branches(pattern: str) -> tuple[str, ...]:
    """``pattern`` split at its top-level ``|`` (outside groups and classes), in order."""
    branches: list[str] = []
    depth = 0
    in_class = False
    begin = 0
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        if in_class:
            if char == "]" and pattern[index - 1] != "[" and pattern[index - 2 : index] != "[^":
                in_class = False
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            branches.append(pattern[begin:index])
            begin = index + 1
        index += 1
    branches.append(pattern[begin:])
    return tuple(branches)


def branch_map(pattern: str) -> dict[str, frozenset[int]] | None:
    """Prefix → the indexes of the top-level branches of ``pattern`` that may start with it.

    None when the pattern has one branch, or when its branches' prefixes do not add up to the
    pattern's own (then the pattern is always tried whole).
    """
    branches = top_branches(pattern)
    if len(branches) < 2 or "|".join(branches) != pattern:
        return None
    found: dict[str, set[int]] = {}
    for index, branch in enumerate(branches):
        for prefix in first_prefixes(branch):
            found.setdefault(prefix, set()).add(index)
    if "" in found or set(found) != set(first_prefixes(pattern)):
        return None
    return {prefix: frozenset(indexes) for prefix, indexes in found.items()}


def viable_branches(key: str, branches: Mapping[str, frozenset[int]]) -> frozenset[int]:
    """The branches (see :func:`branch_map`) that may match where the text starts with ``key``."""
    viable: frozenset[int] = frozenset()
    for size in range(1, len(key) + 1):
        more = branches.get(key[:size])
        if more:
            viable |= more
    return viable
