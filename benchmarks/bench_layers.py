"""Overhead of the layers, each as a ratio to a baseline measured in the same run.

* cache hit: ``CachingValidator.validate`` answering from the cache vs calling a trivial validator
  directly (the key is an MD5 of the normalised report, so this is the price of a hit);
* the full default stack on a hit (metrics + cache) vs the same trivial validator;
* limiter: ``SlidingWindowLimiter.acquire`` with 50 000 tracked users vs one dict lookup.

Run: ``python benchmarks/bench_layers.py [--calls N]``. Prints absolute figures for this machine
and the ratios; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable

from esm_validate import (
    Assessment,
    CachingValidator,
    SlidingWindowLimiter,
    build_validator,
    quality_from_score,
)

REPORT = (
    "At the moment of the beep I was innerly saying to myself, in my own voice, "
    "'where did I put the keys?' while looking at the red door of the kitchen."
)
ANSWER = Assessment(
    score=80,
    quality=quality_from_score(80),
    phenomena=frozenset({"inner_speech"}),
    issues=(),
    feedback="ok",
    lang="en",
    source="ai",
    provider="bench",
    model="bench-1",
)


class TrivialAI:
    """Returns a constant AI answer: the cheapest possible inner validator."""

    provider = "bench"
    model = "bench-1"
    cache_identity = ("bench", "bench-1", "p1", "s1")

    def validate(
        self,
        text: str,
        *,
        user_id: str | None = None,
        training_day: int | None = None,
        lang: str | None = None,
    ) -> Assessment:
        """Return the constant answer."""
        return ANSWER


def per_call_seconds(call: Callable[[int], object], calls: int, repeats: int = 5) -> float:
    """Best-of-``repeats`` seconds per call of ``call(i)`` over ``calls`` calls."""
    runs = []
    for _ in range(repeats):
        started = time.perf_counter()
        for i in range(calls):
            call(i)
        runs.append((time.perf_counter() - started) / calls)
    return min(runs)


def report(name: str, measured: float, baseline: float, baseline_name: str) -> None:
    """Print one line: absolute figures and the ratio."""
    print(
        f"{name:<34} {measured * 1e6:9.2f} us/call   {baseline_name:<22} "
        f"{baseline * 1e6:7.3f} us/call   ratio {measured / baseline:8.1f}x"
    )


def main() -> None:
    """Run the three measurements and print them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=50_000, help="calls per timed run")
    parser.add_argument("--users", type=int, default=50_000, help="users tracked by the limiter")
    args = parser.parse_args()

    ai = TrivialAI()
    direct = per_call_seconds(
        lambda i: ai.validate(REPORT, user_id="u", training_day=1), args.calls
    )

    cache = CachingValidator(ai)
    cache.validate(REPORT, training_day=1)
    hit = per_call_seconds(
        lambda i: cache.validate(REPORT, user_id="u", training_day=1), args.calls
    )
    report("cache hit", hit, direct, "trivial validator")

    stack = build_validator(ai)
    stack.validate(REPORT, user_id="u", training_day=1)
    stack_hit = per_call_seconds(
        lambda i: stack.validate(REPORT, user_id="u", training_day=1), args.calls
    )
    report("default stack, cache hit", stack_hit, direct, "trivial validator")

    rng = random.Random(20261125)
    users = [f"user-{n}" for n in range(args.users)]
    limiter = SlidingWindowLimiter(limit=10, window=3600.0, max_tracked_users=args.users)
    for user in users:
        limiter.acquire(user)
    table = dict.fromkeys(users, 0)
    picks = [rng.choice(users) for _ in range(args.calls)]
    lookup = per_call_seconds(lambda i: table[picks[i]], args.calls)
    acquire = per_call_seconds(lambda i: limiter.acquire(picks[i]), args.calls, repeats=1)
    report(f"limiter, {limiter.tracked_users} users", acquire, lookup, "dict lookup")

    print(f"(cache hit rate of the stack during the run: {stack.stats()['cache_hit_rate']:.4f})")


if __name__ == "__main__":
    main()
