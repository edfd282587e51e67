"""Beep schedules: a local day of stratified random beeps, right in every time zone and on DST days
(the rules for wall times a DST change skips or repeats: docs/study.md)."""

from __future__ import annotations

import bisect
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
    "check_fit",
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


class ScheduleError(ValueError):
    """A schedule that cannot work: a message to show a participant, ``code`` and ``params``."""

    def __init__(self, code: str, message: str, **params: object) -> None:
        super().__init__(message)
        self.code = code
        self.params: dict[str, object] = dict(params)


@attrs.frozen
class Window:
    """A waking window as real UTC instants, ``end`` included."""

    start: datetime
    end: datetime

    @property
    def length(self) -> timedelta:
        """Real elapsed time from :attr:`start` to :attr:`end` (DST included)."""
        return self.end - self.start


def _offset_minutes(sign: str, hours: str, minutes: str | None) -> int | None:
    """A typed UTC offset in minutes, or None when it is not a real one (-12:00 to +14:00)."""
    total = (-1 if sign in "-−" else 1) * (int(hours) * 60 + int(minutes or "0"))
    return total if int(minutes or "0") < 60 and -12 * 60 <= total <= 14 * 60 else None


@functools.cache
def _canonical_zone_names() -> dict[str, str]:
    """Lower-cased IANA names → their canonical spelling (read once, on first use)."""
    return {name.lower(): name for name in zoneinfo.available_timezones()}


@functools.lru_cache(maxsize=1024)  # zoneinfo's own cache keeps 8 zones; a reread costs a day plan
def zone_for(tz: str) -> tzinfo:
    """The tzinfo for an IANA name or a ``UTC+05:30`` fixed offset; ScheduleError if unknown."""
    match = _FIXED_OFFSET.match(tz)
    total = _offset_minutes(*match.groups()) if match else None
    if total is not None:
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
    """A time zone typed by a participant (``europe/moscow``, ``+3``, ``GMT-5``) as a zone name
    :func:`plan_day` accepts (IANA, ``Etc/GMT-3``, ``UTC+05:30``), or ScheduleError."""
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
    total = _offset_minutes(*match.groups())
    if total is None:
        raise ScheduleError(
            "schedule.offset_out_of_range",
            f"The offset {cleaned!r} is not a real UTC offset; offsets run from UTC-12 to UTC+14.",
            tz=cleaned,
        )
    hours, minutes = divmod(abs(total), 60)
    if total == 0:
        return "UTC"
    if minutes == 0:
        return f"Etc/GMT{'-' if total > 0 else '+'}{hours}"
    return f"UTC{'+' if total > 0 else '-'}{hours:02d}:{minutes:02d}"


def _wall(instant: datetime, zone: tzinfo) -> datetime:
    return instant.astimezone(zone).replace(tzinfo=None)


def _instant(naive: datetime, zone: tzinfo, *, last: bool) -> datetime:
    """Resolve a wall time to one UTC instant: the last (start) or first (end) that shows it, or
    for a wall time a DST change skips, the first instant after the gap."""
    low, high = sorted(naive.replace(tzinfo=zone, fold=fold).astimezone(UTC) for fold in (0, 1))
    exists = [u for u in (low, high) if _wall(u, zone) == naive]
    if exists:
        return exists[-1] if last else exists[0]
    # wall(low) < naive <= wall(high); bisect in whole seconds (transitions use them).
    steps = range(int((high - low) // _SECOND) + 1)
    return low + _SECOND * bisect.bisect_left(
        steps, naive, key=lambda i: _wall(low + i * _SECOND, zone)
    )


def window_bounds(day: date, tz: str, start: time, end: time) -> Window:
    """The real UTC bounds of the waking window starting on local *day* (crossing midnight when
    ``end <= start``); ScheduleError for an unknown zone or ``start == end``."""
    zone = zone_for(tz)
    start, end = start.replace(tzinfo=None), end.replace(tzinfo=None)
    if start == end:
        raise ScheduleError(
            "schedule.empty_window",
            "The waking window must not start and end at the same time.",
            start=start.strftime("%H:%M"),
            end=end.strftime("%H:%M"),
        )
    end_day = day if end > start else day + timedelta(1)
    return Window(
        _instant(datetime.combine(day, start), zone, last=True),
        _instant(datetime.combine(end_day, end), zone, last=False),
    )


def _format_gap(gap: timedelta) -> str:
    return f"{gap.total_seconds() / 60:g} minutes"


def check_fit(n: int, min_gap: timedelta, length: timedelta, day: date | None = None) -> None:
    """ScheduleError ``schedule.too_many_beeps`` when *n* beeps *min_gap* apart overrun *length*."""
    if min_gap * n <= length:
        return
    on = {"day": day.isoformat()} if day else {}
    raise ScheduleError(
        "schedule.too_many_beeps",
        f"{n} beeps at least {_format_gap(min_gap)} apart do not fit into a waking window of "
        f"{_format_gap(length)}{' on ' + on['day'] if on else ''}. Choose fewer beeps or a "
        "longer window.",
        n=n,
        min_gap=_format_gap(min_gap),
        window=_format_gap(length),
        **on,
    )


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
    """Plan one local day's beeps: *n* sorted UTC datetimes, one drawn from *rng* in each of *n*
    equal blocks of the real window, at least *min_gap* apart; ScheduleError if they cannot fit."""
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
    check_fit(n, min_gap, window.length, day)
    # Whole seconds when everything is whole seconds (tidy, storable in any database).
    whole = window.start.microsecond == window.end.microsecond == 0 and not min_gap % _SECOND
    unit = _SECOND if whole else _MICROSECOND
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
