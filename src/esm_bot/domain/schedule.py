"""Beep schedules: a local day of stratified random beeps, right in every time zone and on DST days.

The contract is :func:`plan_day`. It works in *real elapsed time* between the window's true UTC
bounds, so a DST change inside the window makes the window one real hour longer or shorter, no beep
ever falls on a local time that does not exist, and no local time is used twice in a repeated hour.

How a window's wall-clock bounds become instants (rule used for both DST directions):

* the **start** is the *last* instant at which the participant's clock shows the start time (for a
  time in a repeated hour: its second occurrence), or, when that time is skipped by a
  spring-forward change, the first instant after the gap;
* the **end** is the *first* instant at which the clock shows the end time (first occurrence), or
  the first instant after the gap.

With these rules every beep's local wall time lies between the window's start and end (a window
can only shrink on such a day, never leak outside the hours the participant chose).

A window whose end is not later than its start on the clock (``22:00`` to ``02:00``) crosses
midnight and belongs to the day it starts.

Time zones are IANA names (``Asia/Kathmandu``) or, for a participant who typed a UTC offset that is
not a whole number of hours, the fixed-offset form ``UTC+05:30`` made by :func:`parse_timezone`.
"""

from __future__ import annotations

import functools
import random
import re
import zoneinfo
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from typing import Final

import attrs

__all__ = [
    "MAX_BEEPS_PER_DAY",
    "ScheduleError",
    "Window",
    "parse_timezone",
    "plan_day",
    "window_bounds",
    "zone_for",
]

#: The largest number of beeps :func:`plan_day` accepts for one day.
MAX_BEEPS_PER_DAY: Final = 20

_SECOND: Final = timedelta(seconds=1)
_MICROSECOND: Final = timedelta(microseconds=1)
_FIXED_OFFSET = re.compile(r"^UTC([+-])(\d\d):(\d\d)$")
_TYPED_OFFSET = re.compile(
    r"^(?:UTC|GMT|Z)?\s*([+-−])\s*(\d{1,2})(?:(?::|\.|h)?(\d{2}))?$",
    re.IGNORECASE,
)
#: Real UTC offsets run from -12:00 to +14:00.
_MIN_OFFSET_MINUTES: Final = -12 * 60
_MAX_OFFSET_MINUTES: Final = 14 * 60


class ScheduleError(ValueError):
    """A schedule setting that cannot work; the message can be shown to a participant as is.

    Attributes:
        code: A stable message key for translated catalogues (e.g. ``"schedule.unknown_timezone"``).
        params: The values the message mentions, for rendering the key in another language.
    """

    def __init__(self, code: str, message: str, **params: object) -> None:
        super().__init__(message)
        self.code = code
        self.params: dict[str, object] = dict(params)


@attrs.frozen
class Window:
    """A waking window as real instants (both timezone-aware, in UTC).

    Attributes:
        start: The first instant of the window.
        end: The last instant of the window (inclusive).
    """

    start: datetime
    end: datetime

    @property
    def length(self) -> timedelta:
        """Real elapsed time from :attr:`start` to :attr:`end` (DST included)."""
        return self.end - self.start


@functools.cache
def _canonical_zone_names() -> dict[str, str]:
    """Map lower-cased IANA names to their canonical spelling (read once, on first use)."""
    return {name.lower(): name for name in zoneinfo.available_timezones()}


@functools.lru_cache(maxsize=1024)  # zoneinfo's own cache keeps 8 zones; a reread costs a day plan
def zone_for(tz: str) -> tzinfo:
    """Return the tzinfo for an IANA name or a ``UTC+05:30`` fixed offset.

    Raises:
        ScheduleError: (a ValueError) when the zone is unknown.
    """
    match = _FIXED_OFFSET.match(tz)
    if match:
        sign_text, hours, minutes = match.groups()
        sign = -1 if sign_text == "-" else 1
        total = sign * (int(hours) * 60 + int(minutes))
        if int(minutes) < 60 and _MIN_OFFSET_MINUTES <= total <= _MAX_OFFSET_MINUTES:
            return timezone(timedelta(minutes=total), tz)
    try:
        return zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        pass
    raise ScheduleError(
        "schedule.unknown_timezone",
        f"Unknown time zone {tz!r}. Please give a name like Europe/Moscow or an offset like UTC+3.",
        tz=tz,
    )


def parse_timezone(text: str) -> str:
    """Turn a time zone typed by a participant into a zone name :func:`plan_day` accepts.

    Accepted: an IANA name in any letter case (``europe/moscow`` → ``Europe/Moscow``), or a UTC
    offset such as ``+3``, ``UTC+3``, ``GMT-5``, ``UTC+05:30``, ``-0330``, ``+5:45``.

    A whole-hour offset becomes the IANA fixed zone ``Etc/GMT-3`` (note: the ``Etc`` names invert
    the sign, so ``Etc/GMT-3`` is UTC+3); offset zero becomes ``UTC``; any other offset becomes the
    fixed-offset form ``UTC+05:30`` (sign, two-digit hours, colon, two-digit minutes), which
    :func:`zone_for` and :func:`plan_day` understand. Fixed offsets never change for DST: a
    participant in a zone with DST should give its name instead.

    Raises:
        ScheduleError: (a ValueError) with a message a participant can be shown.
    """
    cleaned = " ".join(text.split())
    if not cleaned:
        raise ScheduleError(
            "schedule.empty_timezone",
            "Please type a time zone, like Europe/Moscow or UTC+3.",
        )
    canonical = _canonical_zone_names().get(cleaned.lower().replace(" ", "_"))
    if canonical is not None:
        return canonical
    if cleaned.upper() in {"UTC", "GMT", "Z", "UTC+0", "UTC-0"}:
        return "UTC"
    match = _TYPED_OFFSET.match(cleaned)
    if match is None:
        raise ScheduleError(
            "schedule.unknown_timezone",
            f"Unknown time zone {cleaned!r}. Please give a name like Europe/Moscow "
            "or an offset like UTC+3 or UTC+05:30.",
            tz=cleaned,
        )
    sign_char, hours_text, minutes_text = match.groups()
    sign = -1 if sign_char in "-−" else 1
    hours, minutes = int(hours_text), int(minutes_text or "0")
    total = sign * (hours * 60 + minutes)
    if minutes >= 60 or not _MIN_OFFSET_MINUTES <= total <= _MAX_OFFSET_MINUTES:
        raise ScheduleError(
            "schedule.offset_out_of_range",
            f"The offset {cleaned!r} is not a real UTC offset; offsets run from UTC-12 to UTC+14.",
            tz=cleaned,
        )
    if total == 0:
        return "UTC"
    if minutes == 0:
        return f"Etc/GMT{'-' if sign > 0 else '+'}{hours}"
    return f"UTC{'+' if sign > 0 else '-'}{hours:02d}:{minutes:02d}"


def _to_utc(local: datetime) -> datetime:
    return local.astimezone(UTC)


def _wall(instant: datetime, zone: tzinfo) -> datetime:
    return instant.astimezone(zone).replace(tzinfo=None)


def _first_instant_after_gap(naive: datetime, zone: tzinfo) -> datetime:
    """The first instant whose wall time is at or after *naive*, a time skipped by a DST change."""
    low, high = sorted(_to_utc(naive.replace(tzinfo=zone, fold=fold)) for fold in (0, 1))
    # Invariant: wall(low) < naive <= wall(high); bisect in whole seconds (transitions use them).
    steps = int((high - low) // _SECOND)
    lo, hi = 0, steps
    while hi - lo > 1:
        middle = (lo + hi) // 2
        if _wall(low + middle * _SECOND, zone) >= naive:
            hi = middle
        else:
            lo = middle
    return low + hi * _SECOND


def _instant(naive: datetime, zone: tzinfo, *, last: bool) -> datetime:
    """Resolve a wall time to one UTC instant (see the module docstring for the rule)."""
    first = _to_utc(naive.replace(tzinfo=zone, fold=0))
    second = _to_utc(naive.replace(tzinfo=zone, fold=1))
    exists = [u for u in (first, second) if _wall(u, zone) == naive]
    if not exists:
        return _first_instant_after_gap(naive, zone)
    return max(exists) if last else min(exists)


def window_bounds(day: date, tz: str, start: time, end: time) -> Window:
    """Return the real UTC bounds of the waking window that starts on local *day*.

    ``end`` not later than ``start`` on the clock means the window crosses midnight.

    Raises:
        ScheduleError: for an unknown zone or ``start == end``.
    """
    zone = zone_for(tz)
    if start.replace(tzinfo=None) == end.replace(tzinfo=None):
        raise ScheduleError(
            "schedule.empty_window",
            "The waking window must not start and end at the same time.",
            start=start.strftime("%H:%M"),
            end=end.strftime("%H:%M"),
        )
    local_start = datetime.combine(day, start.replace(tzinfo=None))
    end_day = day if end.replace(tzinfo=None) > start.replace(tzinfo=None) else day + timedelta(1)
    local_end = datetime.combine(end_day, end.replace(tzinfo=None))
    return Window(
        start=_instant(local_start, zone, last=True),
        end=_instant(local_end, zone, last=False),
    )


def _unit_for(window: Window, min_gap: timedelta) -> timedelta:
    """Whole seconds when everything is whole seconds (tidy, storable in any database)."""
    whole = (
        window.start.microsecond == 0
        and window.end.microsecond == 0
        and min_gap % _SECOND == timedelta(0)
    )
    return _SECOND if whole else _MICROSECOND


def _format_gap(gap: timedelta) -> str:
    minutes = gap.total_seconds() / 60
    return f"{minutes:g} minutes"


def plan_day(
    day: date,
    tz: str,
    start: time,
    end: time,
    n: int,
    *,
    min_gap: timedelta,
    rng: random.Random,
) -> list[datetime]:
    """Plan one local day's beeps: *n* sorted, timezone-aware UTC datetimes.

    The window (``start`` to ``end`` on the participant's clock in zone *tz*, crossing midnight
    when ``end <= start``) is taken as real elapsed time between its true UTC bounds
    (:func:`window_bounds`), split into *n* equal blocks, and one uniformly random instant is drawn
    in each block. When a draw lies closer than *min_gap* to the previous beep it is moved later,
    just to ``previous + min_gap``, which always stays inside its own block because
    ``n * min_gap`` fits in the window. Times are whole seconds unless the bounds or the gap are
    not.

    Args:
        day: The local calendar day the window starts on.
        tz: An IANA zone name, or a fixed offset ``UTC+05:30`` (see :func:`parse_timezone`).
        start: Local start of the waking window.
        end: Local end of the waking window.
        n: Number of beeps, 1..20.
        min_gap: The least real time between two beeps.
        rng: The source of randomness (seeded in tests).

    Raises:
        ScheduleError: (a ValueError) with a message a participant could be shown, when *n* is
            out of range, the zone is unknown, ``start == end``, the gap is negative, or
            ``n * min_gap`` is longer than the window on that day.
    """
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_BEEPS_PER_DAY:
        raise ScheduleError(
            "schedule.bad_count",
            f"The number of beeps per day must be between 1 and {MAX_BEEPS_PER_DAY}, not {n!r}.",
            n=n,
            max=MAX_BEEPS_PER_DAY,
        )
    if min_gap < timedelta(0):
        raise ScheduleError(
            "schedule.negative_gap",
            "The time between beeps cannot be negative.",
            min_gap=_format_gap(min_gap),
        )
    window = window_bounds(day, tz, start, end)
    if window.length <= timedelta(0):
        raise ScheduleError(
            "schedule.window_skipped",
            f"On {day.isoformat()} the clock change skips the whole waking window; "
            "no beeps can be planned that day.",
            day=day.isoformat(),
        )
    if min_gap * n > window.length:
        raise ScheduleError(
            "schedule.too_many_beeps",
            f"{n} beeps at least {_format_gap(min_gap)} apart do not fit into a waking window of "
            f"{_format_gap(window.length)} on {day.isoformat()}. Choose fewer beeps or a longer "
            "window.",
            n=n,
            min_gap=_format_gap(min_gap),
            window=_format_gap(window.length),
            day=day.isoformat(),
        )
    unit = _unit_for(window, min_gap)
    width = window.length // unit
    gap = min_gap // unit  # exact: the unit is a second only when the gap is whole seconds
    beeps: list[int] = []
    for block in range(n):
        low = width * block // n
        high = width * (block + 1) // n
        draw = low + int(rng.random() * (high - low))
        if beeps:
            draw = max(draw, beeps[-1] + gap)
        beeps.append(draw)
    return [window.start + unit * offset for offset in beeps]
