"""``plan_day`` for 100 000 participants (varied zones, windows and counts) vs a baseline.

The baseline is the bare randomness the plans need: ``n`` calls of ``rng.random()`` per
participant (the same total count as the plans draw). The ratio shows what the time-zone, DST and
gap handling cost on top of drawing the numbers.

Run: ``python benchmarks/bench_schedule.py [--participants N]``. Prints absolute figures for this
machine and the ratio; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time

from esm_bot.domain.schedule import plan_day

ZONES = (
    "Europe/Moscow",
    "America/New_York",
    "Asia/Kathmandu",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "UTC",
    "Europe/London",
    "Asia/Kolkata",
    "America/St_Johns",
    "UTC+05:30",
)
WINDOWS = (
    (dt.time(9), dt.time(21)),
    (dt.time(8), dt.time(22)),
    (dt.time(22), dt.time(2)),
    (dt.time(7, 30), dt.time(19, 45)),
)
GAP = dt.timedelta(minutes=45)


def _participants(count: int, seed: int) -> list[tuple[dt.date, str, dt.time, dt.time, int]]:
    rng = random.Random(seed)
    first = dt.date(2026, 1, 1)
    people = []
    for _ in range(count):
        start, end = rng.choice(WINDOWS)
        most = 4 if end < start else 10  # the 4-hour night window loses an hour on DST nights
        day = first + dt.timedelta(days=rng.randrange(365))
        people.append((day, rng.choice(ZONES), start, end, rng.randint(1, most)))
    return people


def main() -> None:
    """Time the plans and the baseline; print both and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--participants", type=int, default=100_000)
    args = parser.parse_args()
    people = _participants(args.participants, seed=1)
    draws = sum(n for *_, n in people)

    rng = random.Random(2)
    started = time.perf_counter()
    for _ in range(draws):
        rng.random()
    baseline = time.perf_counter() - started

    rng = random.Random(2)
    started = time.perf_counter()
    planned = 0
    for day, tz, start, end, n in people:
        planned += len(plan_day(day, tz, start, end, n, min_gap=GAP, rng=rng))
    elapsed = time.perf_counter() - started

    assert planned == draws
    print(f"participants: {len(people):,}; beeps planned: {planned:,}")
    print(f"baseline {draws:,} x rng.random(): {baseline * 1000:.1f} ms")
    print(
        f"plan_day for every participant: {elapsed * 1000:.1f} ms "
        f"({elapsed / len(people) * 1e6:.1f} us per participant-day)"
    )
    print(f"ratio plan_day / baseline: {elapsed / baseline:.0f}x")


if __name__ == "__main__":
    main()
