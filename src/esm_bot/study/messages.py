"""Message keys the study engine returns, for the bot to render from its catalogues.

The engine holds no user-facing text. Every outcome carries :class:`Message` values: a
:class:`MessageKey` plus parameters. The keys are the bot's catalogue keys
(:mod:`esm_bot.i18n`), so ``render(message.key, lang, form, **message.params)`` turns one into text;
parameters the template does not use are ignored by ``str.format_map``.

Parameters each key carries (all plain JSON-compatible values):

=============================  ================================================================
Key                            Parameters
=============================  ================================================================
``welcome``                    training_days
``consent``                    version
``consent_needed``             —
``consent_recorded``           version
``not_registered``             —
``not_active``                 state
``setting_invalid``            reason (English text), code (``schedule.*`` key), and its params
``timezone_invalid``           text, reason, code
``settings_saved``             setting, value, replanned (number of beeps planned again)
``study_started``              first_day, today (ISO dates), training_days, beeps_per_day,
                               window (``HH:MM-HH:MM``)
``status_waiting``             the parameters of ``study_started`` (before the first beep day)
``status_no_reports``          the parameters of ``status`` (no scored answer yet)
``beep``                       study_day, training_day (0 after training), focus (code)
``beep_practice``              —
``beep_pilot``                 —
``reminder``                   minutes_left
``beep_expired``               — (more beeps later today)
``beep_expired_last``          — (that was the day's last beep; the next ones are planned)
``beep_expired_final``         — (no further beep is planned)
``continuation_added``         parts (how many messages the report now has)
``edit_recorded``              —
``repetitive``                 times (how often one sentence came)
``no_beep_pending``            —
``empty_text``                 —
``too_long``                   length, limit (the text is kept; only the start is validated)
``feedback_training``          day, score, quality, strengths (list), tip, focus, pass_mark,
                               attempt, issues (codes), phenomena (codes)
``feedback_practice``          score, quality, strengths, tip, focus, issues, phenomena
``retry_offer``                score, pass_mark, day
``retry_recorded``             score, first_score
``late_report``                latency_minutes
``thanks``                     —
``ai_rate_limited``            minutes (until full feedback resumes)
``ai_unavailable``             reason (the fallback reason code)
``personal_hint_issue``        issue (issue code), share (0..1), reports
``personal_hint_phenomena``    phenomenon (the dominant one), share, missing (list of codes)
``day_passed``                 day, average, pass_mark, next_day, focus (next day's code)
``day_repeat``                 day, average, pass_mark, focus (the repeated day's code), answered
``day_advanced``               day, average, pass_mark, next_day, focus
``training_complete``          average, threshold, sampling_days
``study_complete``             answered, days
``paused``                     until (ISO datetime or None)
``already_paused``             —
``resumed``                    replanned
``not_paused``                 —
``withdrawn``                  —
``delete_done``                deleted (counts per kind)
``status``                     state, day, training_day, answered, late, missed, expired,
                               average, threshold, progress, today_answered, today_planned
=============================  ================================================================

Keys the bot does not send (it has its own onboarding texts): ``consent_recorded``,
``personal_hint_issue``, ``personal_hint_phenomena``, ``day_advanced``.
Training focus codes (``focus`` parameters) are :data:`esm_bot.domain.config.DAY_FOCUS_CODES`.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import attrs

__all__ = ["Message", "MessageKey"]


class MessageKey(enum.StrEnum):
    """Every message the engine can ask the bot to send (values are catalogue keys)."""

    WELCOME = "welcome"
    CONSENT = "consent"
    CONSENT_NEEDED = "consent_needed"
    CONSENT_RECORDED = "consent_recorded"
    NOT_REGISTERED = "not_registered"
    NOT_ACTIVE = "not_active"
    SETTING_INVALID = "setting_invalid"
    TIMEZONE_INVALID = "timezone_invalid"
    SETTINGS_SAVED = "settings_saved"
    STUDY_STARTED = "study_started"
    BEEP = "beep"
    BEEP_PRACTICE = "beep_practice"
    BEEP_PILOT = "beep_pilot"
    REMINDER = "reminder"
    BEEP_EXPIRED = "beep_expired"
    BEEP_EXPIRED_LAST = "beep_expired_last"
    BEEP_EXPIRED_FINAL = "beep_expired_final"
    CONTINUATION_ADDED = "continuation_added"
    EDIT_RECORDED = "edit_recorded"
    REPETITIVE = "repetitive"
    STATUS_WAITING = "status_waiting"
    STATUS_NO_REPORTS = "status_no_reports"
    NO_BEEP_PENDING = "no_beep_pending"
    EMPTY_TEXT = "empty_text"
    TOO_LONG = "too_long"
    FEEDBACK_TRAINING = "feedback_training"
    FEEDBACK_PRACTICE = "feedback_practice"
    RETRY_OFFER = "retry_offer"
    RETRY_RECORDED = "retry_recorded"
    LATE_REPORT = "late_report"
    THANKS = "thanks"
    AI_RATE_LIMITED = "ai_rate_limited"
    AI_UNAVAILABLE = "ai_unavailable"
    PERSONAL_HINT_ISSUE = "personal_hint_issue"
    PERSONAL_HINT_PHENOMENA = "personal_hint_phenomena"
    DAY_PASSED = "day_passed"
    DAY_REPEAT = "day_repeat"
    DAY_ADVANCED = "day_advanced"
    TRAINING_COMPLETE = "training_complete"
    STUDY_COMPLETE = "study_complete"
    PAUSED = "paused"
    ALREADY_PAUSED = "already_paused"
    RESUMED = "resumed"
    NOT_PAUSED = "not_paused"
    WITHDRAWN = "withdrawn"
    DELETE_DONE = "delete_done"
    STATUS = "status"


def _frozen_params(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(value))


@attrs.frozen(hash=False)
class Message:
    """One message to send: a catalogue key and its parameters (see the module's table).

    Attributes:
        key: What to say.
        params: Values for the template's placeholders (and extra detail a bot may use).
    """

    key: MessageKey
    params: Mapping[str, Any] = attrs.field(factory=dict, converter=_frozen_params)


def message(key: MessageKey, **params: Any) -> Message:
    """Shorthand for ``Message(key, params)``."""
    return Message(key, params)
