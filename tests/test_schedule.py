"""plan_day: stratified beeps a gap apart inside the local window, in any zone, on DST days."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, available_timezones

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from esm_bot.domain.schedule import (
    MAX_BEEPS_PER_DAY,
    ScheduleError,
    parse_timezone,
    plan_day,
    window_bounds,
    zone_for,
)

ZONES = (
    "UTC",
    "Europe/Moscow",
    "America/New_York",
    "Asia/Kathmandu",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "Europe/London",
    "UTC+05:30",
    "UTC-09:30",
    "Etc/GMT-3",
)

#: Every DST change of 2026 in the zones above, as local dates (checked against tzdata below).
DST_CHANGES_2026 = {
    "America/New_York": (date(2026, 3, 8), date(2026, 11, 1)),
    "Australia/Lord_Howe": (date(2026, 4, 5), date(2026, 10, 4)),
    "Pacific/Chatham": (date(2026, 4, 5), date(2026, 9, 27)),
    "Europe/London": (date(2026, 3, 29), date(2026, 10, 25)),
}


def _offset_changes(tz: str, year: int) -> list[date]:
    """Scan the year in 15-minute steps and return the local dates on which the offset changes."""
    zone = ZoneInfo(tz)
    instant = datetime(year, 1, 1, tzinfo=UTC)
    previous = instant.astimezone(zone).utcoffset()
    found: list[date] = []
    while instant.year == year:
        instant += timedelta(minutes=15)
        offset = instant.astimezone(zone).utcoffset()
        if offset != previous:
            found.append(instant.astimezone(zone).date())
            previous = offset
    return found


#: DST days and their neighbours (a window crossing midnight the evening before is affected too).
SPECIAL_DAYS = sorted(
    {d + timedelta(days=k) for days in DST_CHANGES_2026.values() for d in days for k in (-1, 0, 1)}
)

minute_times = st.builds(time, st.integers(0, 23), st.integers(0, 59))
second_times = st.builds(time, st.integers(0, 23), st.integers(0, 59), st.integers(0, 59))
days = st.one_of(
    st.sampled_from(SPECIAL_DAYS),
    st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 31)),
)


def _inside_local_window(beep: datetime, day: date, tz: str, start: time, end: time) -> bool:
    local = beep.astimezone(zone_for(tz))
    wall = local.replace(tzinfo=None)
    if end > start:
        return wall.date() == day and start <= wall.time() <= end
    return (wall.date() == day and wall.time() >= start) or (
        wall.date() == day + timedelta(days=1) and wall.time() <= end
    )


def _plan(
    *,
    n: int,
    rng: random.Random,
    day: date = date(2026, 6, 1),
    tz: str = "UTC",
    start: time = time(9),
    end: time = time(21),
    gap: timedelta = timedelta(0),
) -> list[datetime]:
    """plan_day with the defaults most explicit tests share (1 June 2026, UTC, 09:00-21:00)."""
    return plan_day(day, tz, start, end, n, min_gap=gap, rng=rng)


def _check_plan(
    day: date, tz: str, start: time, end: time, n: int, gap: timedelta, seed: int
) -> None:
    """plan_day either returns a plan that keeps every rule or refuses with the right code."""
    if start == end:
        with pytest.raises(ScheduleError) as info:
            plan_day(day, tz, start, end, n, min_gap=gap, rng=random.Random(seed))
        assert info.value.code == "schedule.empty_window"
        return
    window = window_bounds(day, tz, start, end)
    if window.length <= timedelta(0) or gap * n > window.length:
        with pytest.raises(ScheduleError) as info:
            plan_day(day, tz, start, end, n, min_gap=gap, rng=random.Random(seed))
        assert info.value.code in {"schedule.too_many_beeps", "schedule.window_skipped"}
        return

    beeps = plan_day(day, tz, start, end, n, min_gap=gap, rng=random.Random(seed))

    assert len(beeps) == n
    assert sorted(beeps) == beeps
    assert all(b.tzinfo is not None and b.utcoffset() == timedelta(0) for b in beeps)
    assert all(later - earlier >= gap for earlier, later in itertools.pairwise(beeps))
    assert all(window.start <= b <= window.end for b in beeps)
    assert all(_inside_local_window(b, day, tz, start, end) for b in beeps)
    if gap > timedelta(0):
        assert len(set(beeps)) == n
    block = window.length / n
    for index, beep in enumerate(beeps):
        assert window.start + block * index - timedelta(seconds=1) <= beep
        assert beep <= window.start + block * (index + 1) + timedelta(seconds=1)


class TestDstCalendar:
    def test_the_listed_dst_days_are_every_change_of_2026(self) -> None:
        """The explicit DST list matches tzdata, and zones without DST really have none in 2026."""
        for tz, expected in DST_CHANGES_2026.items():
            assert list(expected) == _offset_changes(tz, 2026)
        for tz in ("UTC", "Europe/Moscow", "Asia/Kathmandu"):
            assert _offset_changes(tz, 2026) == []


@pytest.mark.slow
class TestPlanDayProperties:
    @settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        day=days,
        tz=st.sampled_from(ZONES),
        start=st.one_of(minute_times, second_times),
        end=st.one_of(minute_times, second_times),
        n=st.integers(1, MAX_BEEPS_PER_DAY),
        gap_minutes=st.integers(0, 180),
        seed=st.integers(0, 2**32 - 1),
    )
    def test_plan_is_valid_or_refused_with_reason(
        self,
        day: date,
        tz: str,
        start: time,
        end: time,
        n: int,
        gap_minutes: int,
        seed: int,
    ) -> None:
        """Any setting gives n sorted UTC beeps in the window, gap apart, or a clear refusal."""
        _check_plan(day, tz, start, end, n, timedelta(minutes=gap_minutes), seed)

    @settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        change=st.sampled_from(
            [(tz, d) for tz, changes in DST_CHANGES_2026.items() for d in changes]
        ),
        start=st.builds(time, st.integers(0, 4), st.integers(0, 59)),
        end=st.builds(time, st.integers(0, 5), st.integers(0, 59)),
        n=st.integers(1, 6),
        gap_minutes=st.integers(0, 30),
        seed=st.integers(0, 2**32 - 1),
    )
    def test_windows_around_the_change_hour(
        self,
        change: tuple[str, date],
        start: time,
        end: time,
        n: int,
        gap_minutes: int,
        seed: int,
    ) -> None:
        """Windows starting or ending in a skipped or repeated hour still keep every rule."""
        tz, day = change
        _check_plan(day, tz, start, end, n, timedelta(minutes=gap_minutes), seed)

    @settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        day=st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 31)),
        tz=st.sampled_from(sorted(available_timezones())),
        start=minute_times,
        end=minute_times,
        n=st.integers(1, 8),
        gap_minutes=st.integers(0, 60),
        seed=st.integers(0, 2**32 - 1),
    )
    def test_any_iana_zone(
        self,
        day: date,
        tz: str,
        start: time,
        end: time,
        n: int,
        gap_minutes: int,
        seed: int,
    ) -> None:
        """Every zone in the tz database keeps every rule (or refuses with a reason)."""
        _check_plan(day, tz, start, end, n, timedelta(minutes=gap_minutes), seed)

    @settings(max_examples=300, deadline=None)
    @given(
        day=days,
        tz=st.sampled_from(ZONES),
        n=st.integers(1, MAX_BEEPS_PER_DAY),
        gap_minutes=st.integers(1, 36),
        seed=st.integers(0, 2**32 - 1),
    )
    def test_gap_moves_a_beep_only_as_far_as_needed(
        self, day: date, tz: str, n: int, gap_minutes: int, seed: int
    ) -> None:
        """With the same draws, each beep is max(its own draw, previous beep + gap)."""
        gap = timedelta(minutes=gap_minutes)
        start, end = time(9), time(21)
        free = plan_day(day, tz, start, end, n, min_gap=timedelta(0), rng=random.Random(seed))
        spaced = plan_day(day, tz, start, end, n, min_gap=gap, rng=random.Random(seed))

        expected = [free[0]]
        for draw in free[1:]:
            expected.append(max(draw, expected[-1] + gap))
        assert expected == spaced

    @settings(max_examples=100, deadline=None)
    @given(day=days, tz=st.sampled_from(ZONES), seed=st.integers(0, 2**32 - 1))
    def test_same_seed_same_plan(self, day: date, tz: str, seed: int) -> None:
        """The rng is the only source of randomness."""
        first = plan_day(
            day, tz, time(9), time(21), 6, min_gap=timedelta(minutes=45), rng=random.Random(seed)
        )
        second = plan_day(
            day, tz, time(9), time(21), 6, min_gap=timedelta(minutes=45), rng=random.Random(seed)
        )

        assert first == second


class TestEveryDstChangeOf2026:
    @pytest.mark.parametrize(
        ("tz", "day"),
        [(tz, d) for tz, changes in DST_CHANGES_2026.items() for d in changes],
    )
    def test_every_change_day_and_the_evening_before(self, tz: str, day: date) -> None:
        """Each 2026 DST day of each zone (and the night before, for windows crossing
        midnight) keeps every rule for many windows, counts and gaps."""
        windows = [
            (time(9), time(21)),
            (time(0), time(6)),
            (time(1, 30), time(4)),
            (time(2, 15), time(3, 45)),
            (time(22), time(2)),
            (time(23, 30), time(8)),
        ]
        for check_day in (day - timedelta(days=1), day):
            for start, end in windows:
                for n in (1, 3, 6, 12, 20):
                    for gap in (timedelta(0), timedelta(minutes=7)):
                        _check_plan(check_day, tz, start, end, n, gap, seed=n)


class TestStratification:
    def test_single_beep_is_uniform_over_the_window(self) -> None:
        """4 000 one-beep days fill each of 12 hourly bins near 1/12 (fixed seed: deterministic)."""
        rng = random.Random(20260101)
        counts = [0] * 12
        for _ in range(4000):
            (beep,) = _plan(n=1, rng=rng)
            counts[beep.hour - 9] += 1

        expected = 4000 / 12
        chi_square = sum((c - expected) ** 2 / expected for c in counts)
        assert chi_square < 31.3  # p = 0.001 for 11 degrees of freedom

    def test_each_block_gets_exactly_one_beep(self) -> None:
        """Six beeps in 09:00-21:00 UTC fall one in each two-hour block."""
        rng = random.Random(7)
        for _ in range(200):
            beeps = _plan(n=6, gap=timedelta(minutes=45), rng=rng)
            assert [9 + 2 * ((b.hour - 9) // 2) for b in beeps] == [9, 11, 13, 15, 17, 19]

    def test_times_are_whole_seconds(self) -> None:
        """Whole-minute windows and gaps give whole-second beeps (storable in any database)."""
        beeps = _plan(
            tz="Asia/Kathmandu",
            n=20,
            gap=timedelta(minutes=30),
            rng=random.Random(3),
        )

        assert all(b.microsecond == 0 for b in beeps)


class TestDst:
    def test_spring_forward_window_is_an_hour_shorter(self) -> None:
        """New York, 8 March 2026: 01:00-04:00 on the clock is only two real hours."""
        window = window_bounds(date(2026, 3, 8), "America/New_York", time(1), time(4))

        assert timedelta(hours=2) == window.length
        assert datetime(2026, 3, 8, 6, tzinfo=UTC) == window.start

    def test_no_beep_at_a_local_time_that_does_not_exist(self) -> None:
        """No beep ever shows 02:xx on the clock on the New York spring-forward day."""
        rng = random.Random(11)
        zone = ZoneInfo("America/New_York")
        for _ in range(300):
            beeps = _plan(
                day=date(2026, 3, 8),
                tz="America/New_York",
                start=time(1),
                end=time(4),
                n=4,
                gap=timedelta(minutes=20),
                rng=rng,
            )
            for beep in beeps:
                local = beep.astimezone(zone)
                assert local.hour != 2
                assert local.astimezone(UTC) == beep

    def test_start_inside_the_gap_begins_when_the_gap_ends(self) -> None:
        """A window starting at the skipped 02:30 starts at 03:00 EDT (07:00 UTC), the next valid
        instant."""
        window = window_bounds(date(2026, 3, 8), "America/New_York", time(2, 30), time(5))

        assert datetime(2026, 3, 8, 7, tzinfo=UTC) == window.start
        assert timedelta(hours=2) == window.length

    def test_fall_back_window_is_an_hour_longer(self) -> None:
        """New York, 1 November 2026: 00:00-03:00 on the clock is four real hours."""
        window = window_bounds(date(2026, 11, 1), "America/New_York", time(0), time(3))

        assert timedelta(hours=4) == window.length

    def test_fall_back_start_in_repeated_hour_uses_second_occurrence(self) -> None:
        """01:30 happens twice; the window starts at the second one so no beep reads before
        01:30."""
        window = window_bounds(date(2026, 11, 1), "America/New_York", time(1, 30), time(3))

        assert datetime(2026, 11, 1, 6, 30, tzinfo=UTC) == window.start
        assert timedelta(hours=1, minutes=30) == window.length

    def test_fall_back_end_in_repeated_hour_uses_first_occurrence(self) -> None:
        """A window ending at 01:30 ends the first time the clock reads 01:30 (EDT)."""
        window = window_bounds(date(2026, 11, 1), "America/New_York", time(0), time(1, 30))

        assert datetime(2026, 11, 1, 5, 30, tzinfo=UTC) == window.end

    def test_repeated_hour_beeps_are_distinct_real_instants(self) -> None:
        """Beeps across the repeated hour are real time apart, never the same instant twice."""
        rng = random.Random(5)
        for _ in range(300):
            beeps = _plan(
                day=date(2026, 11, 1),
                tz="America/New_York",
                start=time(0),
                end=time(3),
                n=8,
                gap=timedelta(minutes=25),
                rng=rng,
            )
            gaps = [b - a for a, b in itertools.pairwise(beeps)]
            assert min(gaps) >= timedelta(minutes=25)

    def test_lord_howe_half_hour_changes(self) -> None:
        """Lord Howe moves its clock by 30 minutes: 01:00-03:00 is 2.5 h in April and 1.5 h in
        October."""
        april = window_bounds(date(2026, 4, 5), "Australia/Lord_Howe", time(1), time(3))
        october = window_bounds(date(2026, 10, 4), "Australia/Lord_Howe", time(1), time(3))

        assert timedelta(hours=2, minutes=30) == april.length
        assert timedelta(hours=1, minutes=30) == october.length

    def test_chatham_quarter_hour_zone_dst(self) -> None:
        """Chatham (+12:45/+13:45): 02:00-05:00 is 4 h in April and 2 h in September."""
        april = window_bounds(date(2026, 4, 5), "Pacific/Chatham", time(2), time(5))
        september = window_bounds(date(2026, 9, 27), "Pacific/Chatham", time(2), time(5))

        assert timedelta(hours=4) == april.length
        assert timedelta(hours=2) == september.length

    def test_kathmandu_offset_is_applied(self) -> None:
        """09:00 in Kathmandu (+05:45) is 03:15 UTC."""
        window = window_bounds(date(2026, 6, 1), "Asia/Kathmandu", time(9), time(21))

        assert datetime(2026, 6, 1, 3, 15, tzinfo=UTC) == window.start

    def test_window_crossing_midnight_belongs_to_the_day_it_starts(self) -> None:
        """22:00-02:00 Moscow on 1 May runs from 19:00 to 23:00 UTC on 1 May."""
        window = window_bounds(date(2026, 5, 1), "Europe/Moscow", time(22), time(2))
        beeps = _plan(
            day=date(2026, 5, 1),
            tz="Europe/Moscow",
            start=time(22),
            end=time(2),
            n=4,
            gap=timedelta(minutes=30),
            rng=random.Random(1),
        )

        assert datetime(2026, 5, 1, 19, tzinfo=UTC) == window.start
        assert datetime(2026, 5, 1, 23, tzinfo=UTC) == window.end
        assert all(window.start <= b <= window.end for b in beeps)

    def test_night_window_over_fall_back(self) -> None:
        """22:00-02:00 in New York on the night of 31 October is five real hours."""
        window = window_bounds(date(2026, 10, 31), "America/New_York", time(22), time(2))

        assert timedelta(hours=5) == window.length


class TestErrors:
    @pytest.mark.parametrize("n", [0, -1, 21, 100])
    def test_count_out_of_range(self, n: int) -> None:
        """n outside 1..20 is refused with a message naming the range."""
        with pytest.raises(ValueError, match="between 1 and 20") as info:
            _plan(
                n=n,
                rng=random.Random(0),
            )

        assert info.value.code == "schedule.bad_count"  # type: ignore[attr-defined]

    def test_bool_is_not_a_count(self) -> None:
        """True is not a number of beeps."""
        with pytest.raises(ScheduleError):
            _plan(
                n=True,
                rng=random.Random(0),
            )

    def test_too_many_beeps_for_the_window(self) -> None:
        """Ten beeps 90 minutes apart do not fit into twelve hours, and the message says so."""
        with pytest.raises(ValueError) as info:
            _plan(
                n=10,
                gap=timedelta(minutes=90),
                rng=random.Random(0),
            )

        message = str(info.value)
        assert "10 beeps" in message
        assert "90 minutes" in message
        assert "720 minutes" in message
        assert "Traceback" not in message

    def test_exactly_fitting_is_accepted(self) -> None:
        """n * min_gap equal to the window is allowed (the limit is inclusive)."""
        beeps = _plan(
            n=12,
            gap=timedelta(hours=1),
            rng=random.Random(0),
        )

        assert len(beeps) == 12

    def test_dst_day_can_make_a_tight_plan_impossible(self) -> None:
        """Six beeps an hour apart fit 01:00-07:00 on most days but not on the short spring day."""
        _plan(
            day=date(2026, 3, 7),
            tz="America/New_York",
            start=time(1),
            end=time(7),
            n=6,
            gap=timedelta(hours=1),
            rng=random.Random(0),
        )
        with pytest.raises(ScheduleError) as info:
            _plan(
                day=date(2026, 3, 8),
                tz="America/New_York",
                start=time(1),
                end=time(7),
                n=6,
                gap=timedelta(hours=1),
                rng=random.Random(0),
            )

        assert info.value.code == "schedule.too_many_beeps"

    def test_unknown_zone(self) -> None:
        """An unknown zone is refused with a hint of what to type."""
        with pytest.raises(ValueError, match=r"Unknown time zone .Mars/Olympus.*Europe/Moscow"):
            _plan(
                tz="Mars/Olympus",
                n=6,
                rng=random.Random(0),
            )

    @pytest.mark.parametrize("tz", ["", "../etc/passwd", "America", "UTC+25:00", "/abs"])
    def test_malformed_zone(self, tz: str) -> None:
        """Empty, path-like, directory or out-of-range names are unknown zones, not crashes."""
        with pytest.raises(ScheduleError) as info:
            zone_for(tz)

        assert info.value.code == "schedule.unknown_timezone"

    def test_start_equals_end(self) -> None:
        """A window that starts and ends at the same time is refused."""
        with pytest.raises(ValueError, match="must not start and end at the same time"):
            _plan(
                end=time(9),
                n=6,
                rng=random.Random(0),
            )

    def test_negative_gap(self) -> None:
        """A negative gap is refused."""
        with pytest.raises(ValueError, match="cannot be negative"):
            _plan(
                n=6,
                gap=timedelta(minutes=-1),
                rng=random.Random(0),
            )

    def test_window_entirely_in_the_skipped_hour(self) -> None:
        """02:10-02:50 does not exist in New York on 8 March 2026."""
        with pytest.raises(ScheduleError) as info:
            _plan(
                day=date(2026, 3, 8),
                tz="America/New_York",
                start=time(2, 10),
                end=time(2, 50),
                n=1,
                rng=random.Random(0),
            )

        assert info.value.code == "schedule.window_skipped"
        assert "2026-03-08" in str(info.value)


class TestParseTimezone:
    @pytest.mark.parametrize(
        ("typed", "expected"),
        [
            ("Europe/Moscow", "Europe/Moscow"),
            ("europe/moscow", "Europe/Moscow"),
            ("  ASIA/KATHMANDU ", "Asia/Kathmandu"),
            ("America/New York", "America/New_York"),
            ("utc", "UTC"),
            ("+3", "Etc/GMT-3"),
            ("UTC+3", "Etc/GMT-3"),
            ("utc +3", "Etc/GMT-3"),
            ("GMT-5", "Etc/GMT+5"),
            ("+03:00", "Etc/GMT-3"),
            ("UTC+05:30", "UTC+05:30"),
            ("+5:30", "UTC+05:30"),
            ("-0330", "UTC-03:30"),
            ("+0545", "UTC+05:45"),
            ("UTC+12:45", "UTC+12:45"),
            ("+14", "Etc/GMT-14"),
            ("-12", "Etc/GMT+12"),
            ("+0", "UTC"),
            ("−3", "Etc/GMT+3"),
        ],
    )
    def test_accepted(self, typed: str, expected: str) -> None:
        """Names in any case and offsets in common spellings become zone names plan_day takes."""
        assert expected == parse_timezone(typed)
        zone_for(expected)  # and the result is usable

    @pytest.mark.parametrize("typed", ["", "   ", "Moscow time", "+15", "-13", "+5:75", "3", "abc"])
    def test_refused(self, typed: str) -> None:
        """Anything else is a ValueError with a message that tells what to type."""
        with pytest.raises(ValueError, match=r"(time zone|UTC-12 to UTC\+14)"):
            parse_timezone(typed)

    def test_every_real_quarter_hour_offset_round_trips(self) -> None:
        """Each offset from UTC-12:00 to UTC+14:00 in 15-minute steps becomes a zone with it."""
        for quarter in range(-12 * 4, 14 * 4 + 1):
            minutes = quarter * 15
            sign = "-" if minutes < 0 else "+"
            typed = f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
            zone = zone_for(parse_timezone(typed))
            offset = datetime(2026, 7, 1, tzinfo=zone).utcoffset()
            assert offset == timedelta(minutes=minutes), typed

    def test_fixed_offset_really_has_that_offset(self) -> None:
        """UTC+05:30 puts 09:00 local at 03:30 UTC, whatever the season."""
        for day in (date(2026, 1, 15), date(2026, 7, 15)):
            window = window_bounds(day, parse_timezone("+5:30"), time(9), time(21))
            assert datetime.combine(day, time(3, 30), tzinfo=UTC) == window.start

    def test_etc_zone_sign_is_inverted_correctly(self) -> None:
        """+3 becomes Etc/GMT-3, whose offset is +3 hours."""
        zone = zone_for(parse_timezone("+3"))

        assert timedelta(hours=3) == datetime(2026, 1, 1, tzinfo=zone).utcoffset()
