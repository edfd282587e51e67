"""The statistics of an evaluation: AUROC from mid-ranks and its stratified bootstrap interval.

Pure functions: the bootstrap takes an injected :class:`random.Random`.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

__all__ = ["DEFAULT_RESAMPLES", "auroc", "bootstrap_interval", "word_count"]

#: Bootstrap resamples used when none is given.
DEFAULT_RESAMPLES = 1000


def word_count(text: str) -> int:
    """Whitespace-separated words: the baseline every figure is shown beside."""
    return len(text.split())


def auroc(positives: Sequence[float], negatives: Sequence[float]) -> float | None:
    """Probability that a random positive scores above a random negative, ties counting half.

    Computed from mid-ranks (the Mann-Whitney U statistic) in O(n log n). None when either side is
    empty.
    """
    n_pos, n_neg = len(positives), len(negatives)
    if not n_pos or not n_neg:
        return None
    pooled = sorted(
        [(value, True) for value in positives] + [(value, False) for value in negatives]
    )
    rank_sum = 0.0
    start = 0
    while start < len(pooled):
        end = start
        while end + 1 < len(pooled) and pooled[end + 1][0] == pooled[start][0]:
            end += 1
        mid_rank = (start + end) / 2 + 1  # ranks are 1-based
        rank_sum += mid_rank * sum(1 for _, positive in pooled[start : end + 1] if positive)
        start = end + 1
    return (rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def bootstrap_interval(
    positives: Sequence[float],
    negatives: Sequence[float],
    *,
    rng: random.Random,
    resamples: int = DEFAULT_RESAMPLES,
    level: float = 0.95,
) -> tuple[float, float] | None:
    """A percentile bootstrap interval of :func:`auroc`.

    Stratified: each resample draws the positives from the positives and the negatives from the
    negatives, with replacement, so every resample keeps both classes and their sizes. None when a
    class is empty or ``resamples`` is 0.
    """
    if not positives or not negatives or resamples <= 0:
        return None
    values = sorted(
        auroc(rng.choices(positives, k=len(positives)), rng.choices(negatives, k=len(negatives)))
        or 0.0
        for _ in range(resamples)
    )
    tail = (1 - level) / 2
    return _percentile(values, tail), _percentile(values, 1 - tail)


def _percentile(ordered: Sequence[float], q: float) -> float:
    """The q-quantile of sorted values, interpolating linearly between neighbours."""
    position = q * (len(ordered) - 1)
    below = math.floor(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)
