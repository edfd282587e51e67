"""Every study setting in one frozen, validated object: :class:`StudyConfig`.

Defaults follow the original MSE bot's configuration where it is sound ("original: 6" in the
attribute notes below), and experience-sampling practice where it was not (reminders, expiry,
minimum gap; docs/study.md explains each).

:meth:`StudyConfig.from_env` reads these variables (unset or empty means the default):

====================================  ==========================  ===========================
Variable                              Setting                     Default
====================================  ==========================  ===========================
``ESM_BEEPS_PER_DAY``                 ``beeps_per_day``           6
``ESM_MIN_BEEPS_PER_DAY``             ``min_beeps_per_day``       1
``ESM_MAX_BEEPS_PER_DAY``             ``max_beeps_per_day``       10
``ESM_WINDOW_START``                  ``window_start``            09:00
``ESM_WINDOW_END``                    ``window_end``              21:00
``ESM_TIMEZONE``                      ``timezone``                Europe/Moscow
``ESM_TRAINING_DAYS``                 ``training_days``           3
``ESM_QUALITY_THRESHOLD``             ``quality_threshold``       70
``ESM_PASS_MARKS``                    ``pass_marks``              40,60,70 (day 1, 2, 3)
``ESM_DAY_FOCUS``                     ``day_focus``               moment_capture,specificity,
                                                                  pristine_experience
``ESM_MAX_VALIDATION_ATTEMPTS``       ``max_validation_attempts`` 2
``ESM_MAX_DAY_REPEATS``               ``max_day_repeats``         1
``ESM_MIN_REPORTS_PER_DAY``           ``min_reports_per_day``     3
``ESM_SAMPLING_DAYS``                 ``sampling_days``           4
``ESM_MIN_GAP_MINUTES``               ``min_gap``                 45
``ESM_EXPIRY_MINUTES``                ``expiry``                  15
``ESM_REMINDER_MINUTES``              ``reminder_after``          5 (``0`` or ``off``: none)
``ESM_LATE_ANSWER_MINUTES``           ``late_answer_window``      60 (``0``: no late answers)
``ESM_RETRY_MINUTES``                 ``retry_window``            15
``ESM_CONTINUATION_MINUTES``          ``continuation_window``     3 (``0``: none)
``ESM_LATE_SEND_GRACE_MINUTES``       ``late_send_grace``         5
``ESM_MIN_DATA_FOR_PERSONALIZATION``  ``min_data_for_personal…``  10
``ESM_CONSENT_VERSION``               ``consent_version``         1
``ESM_THANKS_AFTER_TRAINING``         ``thanks_after_training``   true
``ESM_PLAN_AHEAD_DAYS``               ``plan_ahead_days``         2
``ESM_START_SAME_DAY``                ``start_same_day``          false
``ESM_MAX_REPORT_CHARS``              ``max_report_chars``        4000
``ESM_CLAIM_LEASE_SECONDS``           ``claim_lease``             60 (seconds)
====================================  ==========================  ===========================

Why a 45-minute minimum gap (docs/study.md): ESMira defaults to 60 minutes and PACO to 59, but
with the original MSE bot's six beeps in twelve hours (two-hour blocks) and up to ten beeps a
participant may choose (72-minute blocks) a 60-minute gap would move many draws and make beeps
predictable; 45 minutes keeps consecutive beeps clearly separate moments (a report of one never
overlaps the next beep's 15-minute answer window plus reminder) while leaving the draw in each block
mostly free.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, time, timedelta
from types import MappingProxyType
from typing import Any, Final

import attrs

from esm_bot.domain.env import SettingsError, env_field, read_env, variables
from esm_bot.domain.schedule import MAX_BEEPS_PER_DAY, ScheduleError, window_bounds, zone_for

__all__ = ["DAY_FOCUS_CODES", "ENV_VARIABLES", "SettingsError", "StudyConfig"]

#: The skill each training day focuses on (as in the original MSE bot: moment capture,
#: specificity, pristine experience).
DAY_FOCUS_CODES: Final[tuple[str, ...]] = (
    "moment_capture",
    "specificity",
    "pristine_experience",
)

_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})$")
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


def _marks(value: Mapping[int, int] | Any) -> Mapping[int, int]:
    return MappingProxyType({int(k): int(v) for k, v in dict(value).items()})


def _focus(value: Mapping[int, str] | Any) -> Mapping[int, str]:
    return MappingProxyType({int(k): str(v) for k, v in dict(value).items()})


def _fail(message: str) -> SettingsError:
    return SettingsError(message)


def _single(variable: str, raw: str, *, allow_fraction: bool = False) -> Any:
    numbers = _numbers(variable, raw, allow_fraction=allow_fraction)
    if len(numbers) != 1:
        raise _fail(f"{variable} must be one number, got {raw!r}")
    return numbers[0]


def _numbers(variable: str, raw: str, *, allow_fraction: bool = False) -> list[Any]:
    parts = [part.strip() for part in raw.split(",")]
    out: list[Any] = []
    for part in parts:
        try:
            out.append(float(part) if allow_fraction else int(part))
        except ValueError:
            kind = "a number" if allow_fraction else "a whole number"
            raise _fail(f"{variable} must be {kind}, got {raw!r}") from None
    return out


def _whole(variable: str, raw: str) -> int:
    return int(_single(variable, raw))


def _clock(variable: str, raw: str) -> time:
    match = _TIME.match(raw)
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise _fail(f"{variable} must be a time like 09:00, got {raw!r}")
    return time(int(match[1]), int(match[2]))


def _zone(variable: str, raw: str) -> str:
    try:
        zone_for(raw)
    except ScheduleError:
        msg = f"{variable} must be an IANA time zone such as Europe/Moscow, got {raw!r}"
        raise _fail(msg) from None
    return raw


def _flag(variable: str, raw: str) -> bool:
    if raw.lower() in _TRUE:
        return True
    if raw.lower() in _FALSE:
        return False
    raise _fail(f"{variable} must be true or false, got {raw!r}")


def _day_marks(variable: str, raw: str) -> dict[int, int]:
    return dict(enumerate(_numbers(variable, raw), start=1))


def _day_codes(variable: str, raw: str) -> dict[int, str]:
    codes = [part.strip() for part in raw.split(",")]
    if not all(codes):
        raise _fail(f"{variable} must be comma-separated focus codes, got {raw!r}")
    return dict(enumerate(codes, start=1))


def _minutes(variable: str, raw: str) -> timedelta:
    return timedelta(minutes=_single(variable, raw, allow_fraction=True))


def _minutes_or_off(variable: str, raw: str) -> timedelta | None:
    return None if raw.lower() in _FALSE | {"none"} else _minutes(variable, raw)


def _seconds(variable: str, raw: str) -> timedelta:
    return timedelta(seconds=_single(variable, raw, allow_fraction=True))


@attrs.frozen(hash=False)
class StudyConfig:
    """All settings of one study; the researcher's single place to change the protocol.

    Attributes:
        beeps_per_day: Default beeps a day for a new participant (original: 6).
        min_beeps_per_day: Fewest beeps a day a participant may choose (original: 1).
        max_beeps_per_day: Most beeps a day a participant may choose (original: 10).
        window_start: Default start of the waking window (original: 09:00).
        window_end: Default end of the waking window (original: 21:00).
        timezone: Default time zone of a new participant (original: Europe/Moscow).
        training_days: Number of training days (original: 3); 0 skips training.
        quality_threshold: The overall quality a trained participant should reach (original: 70).
        pass_marks: Average quality needed to pass each training day (original: 40, 60, 70). A day
            without a mark uses ``quality_threshold``.
        day_focus: The skill code each training day focuses on (see :data:`DAY_FOCUS_CODES`). A
            day without one uses the last day's.
        max_validation_attempts: Reports per training beep: 2 means one retry when the first is
            below the day's pass mark (original ``MAX_VALIDATION_ATTEMPTS``); both versions are
            kept.
        max_day_repeats: How often a training day falling short is repeated (1: once).
        min_reports_per_day: Answered beeps a training day needs to count as passed (original
            ``MIN_SURVEYS_PER_DAY``).
        sampling_days: Days of sampling after training; then the study is complete.
        min_gap: Least real time between two beeps (45 min; see the module docstring).
        expiry: How long a beep stays open after it is sent (15 min).
        reminder_after: When the one gentle reminder goes out after the beep; None for none.
        late_answer_window: After expiry, how long a report is still attached to the beep as a
            late answer (with its latency). Zero: no late answers.
        retry_window: How long after a first attempt the offered retry is accepted.
        late_send_grace: A beep found due at most this late (downtime) is still sent; an older one
            is marked missed (the catch-up policy of docs/study.md: a late beep distorts the
            sample more than a missing one).
        min_data_for_personalization: Reports before feedback is personalised (original: 10).
        consent_version: Version of the consent text participants accept.
        thanks_after_training: Send a short thanks for each report after training.
        plan_ahead_days: Days planned ahead and stored (today included).
        start_same_day: Start training on the day of ``start`` (remaining blocks only) instead
            of the next local day.
        continuation_window: A message this soon after the last part of an answered beep's report
            is the report's continuation (attached to it and the whole report scored again);
            zero turns continuations off.
        max_report_chars: Longest report validated (longer ones are stored whole, validated in
            part; Telegram allows 4096 characters).
        claim_lease: How long a process holds a beep while sending it.
    """

    beeps_per_day: int = env_field("ESM_BEEPS_PER_DAY", _whole, default=6)
    min_beeps_per_day: int = env_field("ESM_MIN_BEEPS_PER_DAY", _whole, default=1)
    max_beeps_per_day: int = env_field("ESM_MAX_BEEPS_PER_DAY", _whole, default=10)
    window_start: time = env_field("ESM_WINDOW_START", _clock, default=time(9, 0))
    window_end: time = env_field("ESM_WINDOW_END", _clock, default=time(21, 0))
    timezone: str = env_field("ESM_TIMEZONE", _zone, default="Europe/Moscow")
    training_days: int = env_field("ESM_TRAINING_DAYS", _whole, default=3)
    quality_threshold: int = env_field("ESM_QUALITY_THRESHOLD", _whole, default=70)
    pass_marks: Mapping[int, int] = env_field(
        "ESM_PASS_MARKS",
        _day_marks,
        default=MappingProxyType({1: 40, 2: 60, 3: 70}),
        converter=_marks,
    )
    day_focus: Mapping[int, str] = env_field(
        "ESM_DAY_FOCUS",
        _day_codes,
        default=MappingProxyType(dict(enumerate(DAY_FOCUS_CODES, start=1))),
        converter=_focus,
    )
    max_validation_attempts: int = env_field("ESM_MAX_VALIDATION_ATTEMPTS", _whole, default=2)
    max_day_repeats: int = env_field("ESM_MAX_DAY_REPEATS", _whole, default=1)
    min_reports_per_day: int = env_field("ESM_MIN_REPORTS_PER_DAY", _whole, default=3)
    sampling_days: int = env_field("ESM_SAMPLING_DAYS", _whole, default=4)
    min_gap: timedelta = env_field("ESM_MIN_GAP_MINUTES", _minutes, default=timedelta(minutes=45))
    expiry: timedelta = env_field("ESM_EXPIRY_MINUTES", _minutes, default=timedelta(minutes=15))
    reminder_after: timedelta | None = env_field(
        "ESM_REMINDER_MINUTES", _minutes_or_off, default=timedelta(minutes=5)
    )
    late_answer_window: timedelta = env_field(
        "ESM_LATE_ANSWER_MINUTES", _minutes, default=timedelta(minutes=60)
    )
    retry_window: timedelta = env_field(
        "ESM_RETRY_MINUTES", _minutes, default=timedelta(minutes=15)
    )
    continuation_window: timedelta = env_field(
        "ESM_CONTINUATION_MINUTES", _minutes, default=timedelta(minutes=3)
    )
    late_send_grace: timedelta = env_field(
        "ESM_LATE_SEND_GRACE_MINUTES", _minutes, default=timedelta(minutes=5)
    )
    min_data_for_personalization: int = env_field(
        "ESM_MIN_DATA_FOR_PERSONALIZATION", _whole, default=10
    )
    consent_version: str = env_field("ESM_CONSENT_VERSION", default="1")
    thanks_after_training: bool = env_field("ESM_THANKS_AFTER_TRAINING", _flag, default=True)
    plan_ahead_days: int = env_field("ESM_PLAN_AHEAD_DAYS", _whole, default=2)
    start_same_day: bool = env_field("ESM_START_SAME_DAY", _flag, default=False)
    max_report_chars: int = env_field("ESM_MAX_REPORT_CHARS", _whole, default=4000)
    claim_lease: timedelta = env_field(
        "ESM_CLAIM_LEASE_SECONDS", _seconds, default=timedelta(seconds=60)
    )

    def __attrs_post_init__(self) -> None:
        self._check()

    # derived values

    def pass_mark(self, training_day: int) -> int:
        """The average quality needed to pass *training_day* (``quality_threshold`` if unset)."""
        return self.pass_marks.get(training_day, self.quality_threshold)

    def focus(self, training_day: int) -> str:
        """The skill code *training_day* focuses on (the last configured one beyond the list)."""
        if training_day in self.day_focus:
            return self.day_focus[training_day]
        earlier = [day for day in self.day_focus if day <= training_day]
        return self.day_focus[max(earlier)] if earlier else DAY_FOCUS_CODES[0]

    def check_participant_schedule(self, n: int, start: time, end: time, tz: str) -> None:
        """Check a participant's own schedule against the study's limits.

        Raises:
            ScheduleError: (a ValueError) with a message a participant can be shown.
        """
        if isinstance(n, bool) or not self.min_beeps_per_day <= n <= self.max_beeps_per_day:
            raise ScheduleError(
                "schedule.bad_count",
                f"The number of beeps per day must be between {self.min_beeps_per_day} and "
                f"{self.max_beeps_per_day}, not {n!r}.",
                n=n,
                min=self.min_beeps_per_day,
                max=self.max_beeps_per_day,
            )
        zone_for(tz)
        # A plain day (no DST change): the nominal length of the window.
        length = window_bounds(date(2026, 1, 15), "UTC", start, end).length
        if self.min_gap * n > length:
            minutes = int(length.total_seconds() // 60)
            gap = int(self.min_gap.total_seconds() // 60)
            raise ScheduleError(
                "schedule.too_many_beeps",
                f"{n} beeps at least {gap} minutes apart do not fit into a waking window of "
                f"{minutes} minutes. Choose fewer beeps or a longer window.",
                n=n,
                min_gap=f"{gap} minutes",
                window=f"{minutes} minutes",
            )

    # validation

    def _check(self) -> None:
        def whole(name: str, low: int, high: int) -> None:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise _fail(f"{name} must be a whole number from {low} to {high}, got {value!r}")

        whole("min_beeps_per_day", 1, MAX_BEEPS_PER_DAY)
        whole("max_beeps_per_day", self.min_beeps_per_day, MAX_BEEPS_PER_DAY)
        whole("beeps_per_day", self.min_beeps_per_day, self.max_beeps_per_day)
        whole("training_days", 0, 30)
        whole("quality_threshold", 0, 100)
        whole("max_validation_attempts", 1, 5)
        whole("max_day_repeats", 0, 10)
        whole("min_reports_per_day", 0, MAX_BEEPS_PER_DAY)
        whole("sampling_days", 0, 365)
        whole("min_data_for_personalization", 1, 10_000)
        whole("plan_ahead_days", 1, 14)
        whole("max_report_chars", 100, 1_000_000)
        for day, mark in self.pass_marks.items():
            if not 1 <= day <= 30 or not 0 <= mark <= 100:
                raise _fail(f"pass_marks must map training days to 0..100, got {day}: {mark}")
        for day, code in self.day_focus.items():
            if day < 1 or not code:
                raise _fail(f"day_focus must map training days (1, 2, ...) to codes, got {day}")
        for name in (
            "min_gap",
            "expiry",
            "late_answer_window",
            "retry_window",
            "continuation_window",
            "late_send_grace",
        ):
            if getattr(self, name) < timedelta(0):
                raise _fail(f"{name} cannot be negative")
        if self.expiry <= timedelta(0):
            raise _fail("expiry must be longer than zero")
        if self.reminder_after is not None and not (
            timedelta(0) < self.reminder_after < self.expiry
        ):
            raise _fail(
                f"reminder_after ({self.reminder_after}) must come after the beep and before it "
                f"expires ({self.expiry}); turn reminders off instead"
            )
        if self.claim_lease <= timedelta(0):
            raise _fail("claim_lease must be longer than zero")
        if not self.consent_version.strip():
            raise _fail("consent_version must not be empty")
        try:
            self.check_participant_schedule(
                self.beeps_per_day, self.window_start, self.window_end, self.timezone
            )
        except ScheduleError as exc:
            raise _fail(
                "the default schedule (beeps_per_day, window_start, window_end, timezone, "
                f"min_gap) does not work: {exc}"
            ) from None

    # environment

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> StudyConfig:
        """Build the config from ``ESM_*`` variables (see the module docstring); others default.

        Raises:
            SettingsError: (a ValueError) naming the variable and the bad value.
        """
        try:
            return cls(**read_env(cls, environ))
        except SettingsError as exc:
            if any(variable in str(exc) for variable in ENV_VARIABLES):
                raise
            named = [var for var, field in ENV_VARIABLES.items() if field in str(exc)]
            hint = f" (check {', '.join(named)})" if named else ""
            raise _fail(f"{exc}{hint}") from None


#: Environment variable → StudyConfig field, for :meth:`StudyConfig.from_env` and the docs.
ENV_VARIABLES: Final[Mapping[str, str]] = MappingProxyType(variables(StudyConfig))
