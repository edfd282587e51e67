"""StudyConfig: the original MSE bot's defaults, validation, and reading ESM_* variables."""

from __future__ import annotations

from datetime import time, timedelta
from pathlib import Path

import pytest

from esm_bot.domain.schedule import ScheduleError
from esm_bot.settings import DAY_FOCUS_CODES, SettingsError, StudyConfig, variables


class TestDefaults:
    def test_original_defaults(self) -> None:
        """Defaults are the original bot's: 6 beeps 09:00-21:00 Moscow, 3 days, 70, 40/60/70."""
        config = StudyConfig()

        assert config.beeps_per_day == 6
        assert (config.min_beeps_per_day, config.max_beeps_per_day) == (1, 10)
        assert (config.window_start, config.window_end) == (time(9), time(21))
        assert config.timezone == "Europe/Moscow"
        assert config.training_days == 3
        assert config.quality_threshold == 70
        assert dict(config.pass_marks) == {1: 40, 2: 60, 3: 70}
        assert [config.focus(d) for d in (1, 2, 3)] == list(DAY_FOCUS_CODES)
        assert config.max_validation_attempts == 2
        assert config.max_day_repeats == 1
        assert config.min_data_for_personalization == 10

    def test_sampling_practice_defaults(self) -> None:
        """Expiry 15 min, one reminder at +5, a 45-minute gap (docs/study.md)."""
        config = StudyConfig()

        assert config.expiry == timedelta(minutes=15)
        assert config.reminder_after == timedelta(minutes=5)
        assert config.min_gap == timedelta(minutes=45)

    def test_pass_mark_and_focus_beyond_the_list(self) -> None:
        """Days without a mark use the threshold; days without a focus use the last one."""
        config = StudyConfig(training_days=5, quality_threshold=75)

        assert config.pass_mark(4) == 75
        assert config.focus(5) == "pristine_experience"

    def test_frozen(self) -> None:
        """The config cannot be changed in place, not even its mappings."""
        config = StudyConfig()

        with pytest.raises(AttributeError):
            config.beeps_per_day = 3  # type: ignore[misc]
        with pytest.raises(TypeError):
            config.pass_marks[1] = 0  # type: ignore[index]


class TestValidation:
    @pytest.mark.parametrize(
        ("changes", "fragment"),
        [
            ({"beeps_per_day": 11}, "beeps_per_day must be a whole number from 1 to 10"),
            ({"beeps_per_day": 0}, "beeps_per_day"),
            ({"training_days": -1}, "training_days"),
            ({"quality_threshold": 101}, "quality_threshold"),
            ({"pass_marks": {1: 140}}, "pass_marks"),
            ({"expiry": timedelta(0)}, "expiry must be longer than zero"),
            ({"reminder_after": timedelta(minutes=20)}, "turn reminders off instead"),
            ({"min_gap": timedelta(hours=3)}, "do not fit"),
            ({"timezone": "Mars/Olympus"}, "Unknown time zone"),
            ({"window_start": time(9), "window_end": time(9)}, "same time"),
            ({"consent_version": " "}, "consent_version"),
            ({"min_gap": timedelta(minutes=-5)}, "min_gap cannot be negative"),
        ],
    )
    def test_bad_settings_are_refused_clearly(
        self, changes: dict[str, object], fragment: str
    ) -> None:
        """Each impossible setting raises SettingsError (a ValueError) naming the problem."""
        with pytest.raises(SettingsError, match=fragment):
            StudyConfig(**changes)  # type: ignore[arg-type]

    def test_reminders_can_be_turned_off(self) -> None:
        """reminder_after=None means no reminder."""
        assert StudyConfig(reminder_after=None).reminder_after is None

    def test_participant_schedule_limits(self) -> None:
        """Participants choose 1..10 beeps, and the gap must fit their window."""
        config = StudyConfig()
        config.check_participant_schedule(10, time(8), time(22), "Asia/Kathmandu")

        with pytest.raises(ScheduleError, match="between 1 and 10"):
            config.check_participant_schedule(11, time(8), time(22), "UTC")
        with pytest.raises(ScheduleError, match="do not fit"):
            config.check_participant_schedule(10, time(9), time(15), "UTC")
        with pytest.raises(ScheduleError, match="Unknown time zone"):
            config.check_participant_schedule(6, time(9), time(21), "Nowhere/City")


class TestFromEnv:
    def test_empty_environment_gives_defaults(self) -> None:
        """No variables: the defaults; unrelated variables are ignored."""
        assert StudyConfig.from_env({"PATH": "/bin", "ESM_BEEPS_PER_DAY": ""}) == StudyConfig()

    def test_every_variable_is_read(self) -> None:
        """Each documented variable reaches its field."""
        config = StudyConfig.from_env(
            {
                "ESM_BEEPS_PER_DAY": "5",
                "ESM_MIN_BEEPS_PER_DAY": "2",
                "ESM_MAX_BEEPS_PER_DAY": "8",
                "ESM_WINDOW_START": "08:30",
                "ESM_WINDOW_END": "22:00",
                "ESM_TIMEZONE": "Asia/Kathmandu",
                "ESM_TRAINING_DAYS": "2",
                "ESM_QUALITY_THRESHOLD": "65",
                "ESM_PASS_MARKS": "35, 55",
                "ESM_DAY_FOCUS": "moment_capture,specificity",
                "ESM_MAX_VALIDATION_ATTEMPTS": "3",
                "ESM_MAX_DAY_REPEATS": "0",
                "ESM_MIN_REPORTS_PER_DAY": "2",
                "ESM_SAMPLING_DAYS": "7",
                "ESM_MIN_GAP_MINUTES": "30",
                "ESM_EXPIRY_MINUTES": "20",
                "ESM_REMINDER_MINUTES": "7.5",
                "ESM_LATE_ANSWER_MINUTES": "0",
                "ESM_RETRY_MINUTES": "10",
                "ESM_LATE_SEND_GRACE_MINUTES": "2",
                "ESM_MIN_DATA_FOR_PERSONALIZATION": "12",
                "ESM_CONSENT_VERSION": "2026-11",
                "ESM_THANKS_AFTER_TRAINING": "no",
                "ESM_PLAN_AHEAD_DAYS": "3",
                "ESM_START_SAME_DAY": "yes",
                "ESM_MAX_REPORT_CHARS": "2000",
            }
        )

        assert config == StudyConfig(
            beeps_per_day=5,
            min_beeps_per_day=2,
            max_beeps_per_day=8,
            window_start=time(8, 30),
            window_end=time(22),
            timezone="Asia/Kathmandu",
            training_days=2,
            quality_threshold=65,
            pass_marks={1: 35, 2: 55},
            day_focus={1: "moment_capture", 2: "specificity"},
            max_validation_attempts=3,
            max_day_repeats=0,
            min_reports_per_day=2,
            sampling_days=7,
            min_gap=timedelta(minutes=30),
            expiry=timedelta(minutes=20),
            reminder_after=timedelta(minutes=7.5),
            late_answer_window=timedelta(0),
            retry_window=timedelta(minutes=10),
            late_send_grace=timedelta(minutes=2),
            min_data_for_personalization=12,
            consent_version="2026-11",
            thanks_after_training=False,
            plan_ahead_days=3,
            start_same_day=True,
            max_report_chars=2000,
        )

    def test_the_table_covers_every_variable(self) -> None:
        """Every variable StudyConfig reads has its row in docs/configuration.md."""
        docs = (Path(__file__).parents[1] / "docs" / "configuration.md").read_text("utf-8")

        for variable in variables(StudyConfig):
            assert f"| `{variable}` |" in docs, variable

    @pytest.mark.parametrize("value", ["off", "0", "none", "false"])
    def test_reminder_off(self, value: str) -> None:
        """ESM_REMINDER_MINUTES=off (or 0) turns the reminder off."""
        assert StudyConfig.from_env({"ESM_REMINDER_MINUTES": value}).reminder_after is None

    @pytest.mark.parametrize(
        ("environ", "fragment"),
        [
            ({"ESM_BEEPS_PER_DAY": "six"}, "ESM_BEEPS_PER_DAY must be a whole number, got 'six'"),
            ({"ESM_BEEPS_PER_DAY": "12"}, "ESM_BEEPS_PER_DAY"),
            ({"ESM_WINDOW_START": "9am"}, "ESM_WINDOW_START must be a time like 09:00"),
            ({"ESM_WINDOW_END": "24:00"}, "ESM_WINDOW_END"),
            ({"ESM_TIMEZONE": "Moscow"}, "ESM_TIMEZONE must be an IANA time zone"),
            ({"ESM_EXPIRY_MINUTES": "soon"}, "ESM_EXPIRY_MINUTES must be a number"),
            ({"ESM_EXPIRY_MINUTES": "1,2"}, "ESM_EXPIRY_MINUTES must be one number"),
            ({"ESM_PASS_MARKS": "40,x"}, "ESM_PASS_MARKS"),
            ({"ESM_DAY_FOCUS": "a,,b"}, "ESM_DAY_FOCUS"),
            ({"ESM_THANKS_AFTER_TRAINING": "maybe"}, "must be true or false"),
            ({"ESM_MIN_GAP_MINUTES": "240"}, "ESM_MIN_GAP_MINUTES"),
            ({"ESM_REMINDER_MINUTES": "30"}, "ESM_REMINDER_MINUTES"),
        ],
    )
    def test_bad_values_name_the_variable(self, environ: dict[str, str], fragment: str) -> None:
        """A bad value raises SettingsError whose message names the variable."""
        with pytest.raises(SettingsError) as info:
            StudyConfig.from_env(environ)

        assert fragment in str(info.value)
        assert isinstance(info.value, ValueError)
