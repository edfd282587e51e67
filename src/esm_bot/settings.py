"""Every setting of esm-bot, read one way: fields declared with :func:`env_field`, built by
:func:`from_env`; a bad value is a :class:`SettingsError` naming its variable (all of them:
docs/configuration.md), and no secret appears in a ``repr`` or an error."""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Mapping
from datetime import date, time, timedelta
from pathlib import Path
from types import MappingProxyType
from typing import Any, ClassVar, Final, Self, TypeVar

import attrs

from esm_bot.domain.schedule import (
    MAX_BEEPS_PER_DAY,
    ScheduleError,
    check_fit,
    window_bounds,
    zone_for,
)

__all__ = [
    "DAY_FOCUS_CODES",
    "DEFAULT_DB_PATH",
    "BotSettings",
    "OpsSettings",
    "SettingsError",
    "StoreSettings",
    "StudyConfig",
    "default_journal_path",
    "env_field",
    "variables",
]

_VARIABLE = "esm_env_variable"
_PARSE = "esm_env_parse"

N = TypeVar("N", int, float)

#: A parser: (variable name, stripped non-empty text) → value, or :class:`SettingsError`.
Parser = Callable[[str, str], Any]


class SettingsError(ValueError):
    """A setting of the bot is missing or invalid; the message names the variable."""


def number(
    kind: type[N], low: float = -math.inf, high: float = math.inf
) -> Callable[[str, str], N]:
    """A parser of one finite ``int`` or ``float`` within ``low..high`` (both given, or neither)."""

    def parse(variable: str, raw: str) -> N:
        what = "a whole number" if kind is int else "a number"
        if "," in raw:
            raise SettingsError(f"{variable} must be one number, got {raw!r}")
        try:
            value = kind(raw)
        except ValueError:
            raise SettingsError(f"{variable} must be {what}, got {raw!r}") from None
        if not math.isfinite(value) or not low <= value <= high:
            bounds = f" between {low:g} and {high:g}" if high < math.inf else ""
            raise SettingsError(f"{variable} must be {what}{bounds}, got {raw!r}")
        return value

    return parse


def env_field(variable: str, parse: Parser = lambda _variable, raw: raw, **kwargs: Any) -> Any:
    """An ``attrs`` field read from ``variable`` with ``parse`` (by default the stripped text as
    given; other arguments go to attrs)."""
    return attrs.field(metadata={_VARIABLE: variable, _PARSE: parse}, **kwargs)


def variables(cls: type) -> dict[str, str]:
    """Environment variable → field name, for every field of ``cls`` read from the environment."""
    return {f.metadata[_VARIABLE]: f.name for f in attrs.fields(cls) if _VARIABLE in f.metadata}


class _FromEnv:
    """A settings class whose fields are declared with :func:`env_field`."""

    __attrs_attrs__: ClassVar[Any]  # set by attrs on each subclass

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Self:
        """Build the settings from the variables of ``environ`` that are set (blank counts as
        unset); a :class:`SettingsError` of the class's own checks that names fields gets their
        variables appended."""
        values = {}
        try:
            for field in attrs.fields(cls):
                variable = field.metadata.get(_VARIABLE)
                raw = environ.get(variable, "").strip() if variable else ""
                if raw:
                    values[field.name] = field.metadata[_PARSE](variable, raw)
            return cls(**values)
        except SettingsError as exc:
            names = variables(cls)
            if any(variable in str(exc) for variable in names):
                raise
            named = [variable for variable, field in names.items() if field in str(exc)]
            error = f"{exc} (check {', '.join(named)})" if named else str(exc)
            raise SettingsError(error) from None


#: The skill each training day focuses on (as in the original MSE bot).
DAY_FOCUS_CODES: Final[tuple[str, ...]] = ("moment_capture", "specificity", "pristine_experience")

_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})$")
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})
_whole = number(int)
_real = number(float)


def _by_day(kind: type) -> Any:
    """A converter to a read-only training day → ``kind`` mapping."""
    return lambda value: MappingProxyType({int(k): kind(v) for k, v in dict(value).items()})


def _clock(variable: str, raw: str) -> time:
    match = _TIME.match(raw)
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise SettingsError(f"{variable} must be a time like 09:00, got {raw!r}")
    return time(int(match[1]), int(match[2]))


def _zone(variable: str, raw: str) -> str:
    try:
        zone_for(raw)
    except ScheduleError:
        msg = f"{variable} must be an IANA time zone such as Europe/Moscow, got {raw!r}"
        raise SettingsError(msg) from None
    return raw


def _flag(variable: str, raw: str) -> bool:
    if raw.lower() in _TRUE | _FALSE:
        return raw.lower() in _TRUE
    raise SettingsError(f"{variable} must be true or false, got {raw!r}")


def _day_codes(variable: str, raw: str) -> dict[int, str]:
    codes = [part.strip() for part in raw.split(",")]
    if not all(codes):
        raise SettingsError(f"{variable} must be comma-separated focus codes, got {raw!r}")
    return dict(enumerate(codes, start=1))


def _minutes(variable: str, raw: str) -> timedelta:
    return timedelta(minutes=_real(variable, raw))


def _minutes_or_off(variable: str, raw: str) -> timedelta | None:
    return None if raw.lower() in _FALSE | {"none"} else _minutes(variable, raw)


def _minutes_field(variable: str, default: float) -> Any:
    return env_field(variable, _minutes, default=timedelta(minutes=default))


@attrs.frozen(hash=False)
class StudyConfig(_FromEnv):
    """All settings of one study (docs/configuration.md: each field's variable and default;
    docs/study.md: why the defaults are what they are)."""

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
        lambda var, raw: dict(enumerate((_whole(var, m.strip()) for m in raw.split(",")), 1)),
        default=MappingProxyType({1: 40, 2: 60, 3: 70}),
        converter=_by_day(int),
    )
    day_focus: Mapping[int, str] = env_field(
        "ESM_DAY_FOCUS",
        _day_codes,
        default=MappingProxyType(dict(enumerate(DAY_FOCUS_CODES, start=1))),
        converter=_by_day(str),
    )
    max_validation_attempts: int = env_field("ESM_MAX_VALIDATION_ATTEMPTS", _whole, default=2)
    max_day_repeats: int = env_field("ESM_MAX_DAY_REPEATS", _whole, default=1)
    min_reports_per_day: int = env_field("ESM_MIN_REPORTS_PER_DAY", _whole, default=3)
    sampling_days: int = env_field("ESM_SAMPLING_DAYS", _whole, default=4)
    min_gap: timedelta = _minutes_field("ESM_MIN_GAP_MINUTES", 45)
    expiry: timedelta = _minutes_field("ESM_EXPIRY_MINUTES", 15)
    reminder_after: timedelta | None = env_field(
        "ESM_REMINDER_MINUTES", _minutes_or_off, default=timedelta(minutes=5)
    )
    late_answer_window: timedelta = _minutes_field("ESM_LATE_ANSWER_MINUTES", 60)
    retry_window: timedelta = _minutes_field("ESM_RETRY_MINUTES", 15)
    continuation_window: timedelta = _minutes_field("ESM_CONTINUATION_MINUTES", 3)
    late_send_grace: timedelta = _minutes_field("ESM_LATE_SEND_GRACE_MINUTES", 5)
    min_data_for_personalization: int = env_field(
        "ESM_MIN_DATA_FOR_PERSONALIZATION", _whole, default=10
    )
    consent_version: str = env_field("ESM_CONSENT_VERSION", default="1")
    thanks_after_training: bool = env_field("ESM_THANKS_AFTER_TRAINING", _flag, default=True)
    plan_ahead_days: int = env_field("ESM_PLAN_AHEAD_DAYS", _whole, default=2)
    start_same_day: bool = env_field("ESM_START_SAME_DAY", _flag, default=False)
    max_report_chars: int = env_field("ESM_MAX_REPORT_CHARS", _whole, default=4000)
    claim_lease: timedelta = env_field(
        "ESM_CLAIM_LEASE_SECONDS",
        lambda var, raw: timedelta(seconds=_real(var, raw)),
        default=timedelta(seconds=60),
    )

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
        """Check a participant's own schedule against the study's limits (or ScheduleError)."""
        low, high = self.min_beeps_per_day, self.max_beeps_per_day
        if isinstance(n, bool) or not low <= n <= high:
            raise ScheduleError(
                "schedule.bad_count",
                f"The number of beeps per day must be between {low} and {high}, not {n!r}.",
                n=n,
                min=low,
                max=high,
            )
        zone_for(tz)
        # A plain day (no DST change): the nominal length of the window.
        check_fit(n, self.min_gap, window_bounds(date(2026, 1, 15), "UTC", start, end).length)

    def __attrs_post_init__(self) -> None:  # every value checked, however it was given
        wholes = {
            "min_beeps_per_day": (1, MAX_BEEPS_PER_DAY),
            "max_beeps_per_day": (self.min_beeps_per_day, MAX_BEEPS_PER_DAY),
            "beeps_per_day": (self.min_beeps_per_day, self.max_beeps_per_day),
            "training_days": (0, 30),
            "quality_threshold": (0, 100),
            "max_validation_attempts": (1, 5),
            "max_day_repeats": (0, 10),
            "min_reports_per_day": (0, MAX_BEEPS_PER_DAY),
            "sampling_days": (0, 365),
            "min_data_for_personalization": (1, 10_000),
            "plan_ahead_days": (1, 14),
            "max_report_chars": (100, 1_000_000),
        }
        for name, (low, high) in wholes.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise SettingsError(
                    f"{name} must be a whole number from {low} to {high}, got {value!r}"
                )
        for day, mark in self.pass_marks.items():
            if not 1 <= day <= 30 or not 0 <= mark <= 100:
                raise SettingsError(
                    f"pass_marks must map training days to 0..100, got {day}: {mark}"
                )
        for day, code in self.day_focus.items():
            if day < 1 or not code:
                raise SettingsError(
                    f"day_focus must map training days (1, 2, ...) to codes, got {day}"
                )
        nonnegative = ("min_gap", "late_answer_window", "retry_window", "continuation_window")
        for name in (*nonnegative, "late_send_grace"):
            if getattr(self, name) < timedelta(0):
                raise SettingsError(f"{name} cannot be negative")
        for name in ("expiry", "claim_lease"):
            if getattr(self, name) <= timedelta(0):
                raise SettingsError(f"{name} must be longer than zero")
        if self.reminder_after is not None and not timedelta(0) < self.reminder_after < self.expiry:
            raise SettingsError(
                f"reminder_after ({self.reminder_after}) must come after the beep and before it "
                f"expires ({self.expiry}); turn reminders off instead"
            )
        if not self.consent_version.strip():
            raise SettingsError("consent_version must not be empty")
        try:
            self.check_participant_schedule(
                self.beeps_per_day, self.window_start, self.window_end, self.timezone
            )
        except ScheduleError as exc:
            raise SettingsError(
                "the default schedule (beeps_per_day, window_start, window_end, timezone, "
                f"min_gap) does not work: {exc}"
            ) from None


#: Where the embedded database lives unless ``ESM_DB_PATH`` says otherwise.
DEFAULT_DB_PATH = "esm_bot.sqlite3"


def _admin_ids(variable: str, raw: str) -> frozenset[int]:
    try:
        return frozenset(int(part) for part in raw.replace(";", ",").split(",") if part.strip())
    except ValueError:
        msg = f"{variable} must be comma-separated Telegram user ids, got {raw!r}"
        raise SettingsError(msg) from None


def _token(variable: str, raw: str) -> str:
    if ":" not in raw or any(c.isspace() for c in raw):
        msg = f"{variable} does not look like a bot token (expected <id>:<secret>)"
        raise SettingsError(msg)  # never the value: it is a secret
    return raw


def _api_url(variable: str, raw: str) -> str:
    if not raw.startswith(("http://", "https://")):
        raise SettingsError(f"{variable} must start with http:// or https://, got {raw!r}")
    return raw.rstrip("/")


def _webhook_secret(variable: str, raw: str) -> str:
    if not (len(raw) <= 256 and all(c.isascii() and (c.isalnum() or c in "_-") for c in raw)):
        raise SettingsError(f"{variable} must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
    return raw


@attrs.frozen
class BotSettings(_FromEnv):
    """Everything ``esm-bot run`` needs besides the study and the store."""

    token: str = env_field("TELEGRAM_BOT_TOKEN", _token, default="", repr=False)
    api_url: str = env_field("TELEGRAM_API_URL", _api_url, default="https://api.telegram.org")
    admin_ids: frozenset[int] = env_field("ESM_ADMIN_IDS", _admin_ids, default=frozenset())
    webhook_url: str | None = env_field("ESM_WEBHOOK_URL", default=None)
    webhook_secret: str | None = env_field(
        "ESM_WEBHOOK_SECRET", _webhook_secret, default=None, repr=False
    )
    webhook_host: str = env_field("ESM_WEBHOOK_HOST", default="0.0.0.0")
    webhook_port: int = env_field("ESM_WEBHOOK_PORT", number(int, 1, 65535), default=8443)
    metrics_interval_minutes: float = env_field(
        "ESM_METRICS_INTERVAL_MINUTES", number(float, 0.01, 7 * 24 * 60), default=60.0
    )
    tick_seconds: float = env_field("ESM_TICK_SECONDS", number(float, 0.01, 600), default=5.0)
    long_poll_seconds: int = env_field("ESM_LONG_POLL_SECONDS", number(int, 1, 50), default=10)
    send_rate: float = env_field("ESM_SEND_RATE", number(float, 0.1, 1000), default=30.0)
    send_rate_per_chat: float = env_field(
        "ESM_SEND_RATE_PER_CHAT", number(float, 0.01, 100), default=1.0
    )
    start_retries: int = env_field("ESM_START_RETRIES", number(int, 0, 100_000), default=30)
    start_backoff_seconds: float = env_field(
        "ESM_START_BACKOFF_SECONDS", number(float, 0.001, 600), default=1.0
    )

    def is_admin(self, user_id: int | None) -> bool:
        """True when ``user_id`` is in ``ESM_ADMIN_IDS``."""
        return user_id is not None and user_id in self.admin_ids

    @classmethod
    def from_env(cls, environ: Mapping[str, str], *, require_token: bool = True) -> BotSettings:
        """Read the settings; raise :class:`SettingsError` (one-line reason) if invalid."""
        settings = super().from_env(environ)
        if require_token and not settings.token:
            raise SettingsError("TELEGRAM_BOT_TOKEN is not set (get one from @BotFather)")
        return settings


def default_journal_path(db_path: str | os.PathLike[str] = DEFAULT_DB_PATH) -> Path:
    """The journal used when none is given: ``esm_bot.journal.jsonl`` beside the database file."""
    return Path(db_path).parent / "esm_bot.journal.jsonl"


@attrs.frozen
class StoreSettings(_FromEnv):
    """Where the bot's data lives: MongoDB when ``mongodb_uri`` is set, else SQLite."""

    mongodb_uri: str | None = env_field("MONGODB_URI", default=None, repr=False)
    mongodb_db: str | None = env_field("ESM_MONGODB_DB", default=None)
    db_path: str = env_field("ESM_DB_PATH", default=DEFAULT_DB_PATH)
    journal_path: str | None = env_field("ESM_JOURNAL_PATH", default=None)

    @property
    def journal_file(self) -> Path:
        """The journal file: ``journal_path``, else :func:`default_journal_path` of ``db_path``."""
        return Path(self.journal_path) if self.journal_path else default_journal_path(self.db_path)


@attrs.frozen
class OpsSettings(_FromEnv):
    """The variables the operations commands read as written (their owners parse the rest)."""

    export_salt: str = env_field("ESM_EXPORT_SALT", default="", repr=False)
    redis_url: str = env_field("REDIS_URL", default="", repr=False)
    ai_provider: str = env_field("ESM_AI_PROVIDER", default="")
    openai_api_key: str = env_field("OPENAI_API_KEY", default="", repr=False)
    anthropic_api_key: str = env_field("ANTHROPIC_API_KEY", default="", repr=False)
    ai_base_url: str = env_field("ESM_AI_BASE_URL", default="")
    bot_token: str = env_field("TELEGRAM_BOT_TOKEN", default="", repr=False)
    admin_ids: str = env_field("ESM_ADMIN_IDS", default="")
    webhook_url: str = env_field("ESM_WEBHOOK_URL", default="")
    webhook_secret: str = env_field("ESM_WEBHOOK_SECRET", default="", repr=False)
