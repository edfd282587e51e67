"""The study engine (no Telegram): :class:`Study`, its outcomes, message keys and analytics.

The bot's handlers call only :class:`Study`; see :mod:`esm_bot.study.messages` for the keys and
parameters of every message the engine asks the bot to send.

:class:`Study` (:mod:`~esm_bot.study.engine`) is a thin facade (onboarding, settings, start, tick,
pause and leave, status) over four composed parts sharing one
:class:`~esm_bot.study.context.StudyContext`: :mod:`~esm_bot.study.planning` (days planned ahead,
re-planning the future), :mod:`~esm_bot.study.delivery` (beeps handed out once, reminders,
expiry), :mod:`~esm_bot.study.days` (closing days) and :mod:`~esm_bot.study.reports` (reports and
feedback). Pure helpers: :mod:`~esm_bot.study.progress` (the progression rule),
:mod:`~esm_bot.study.analytics` (norms, compliance, hints); values:
:mod:`~esm_bot.study.outcomes` and :mod:`~esm_bot.study.messages`.
"""

from __future__ import annotations

from esm_bot.study.analytics import (
    PHENOMENA_NORMS,
    PRACTICE_INDEX_BASE,
    ComplianceRow,
    PersonalHint,
    PhenomenonRow,
)
from esm_bot.study.engine import (
    ACTIVE_STATUSES,
    AWAITING_KEY,
    Study,
    ValidateFunction,
    parse_window,
)
from esm_bot.study.messages import Message, MessageKey
from esm_bot.study.outcomes import (
    Action,
    ActionKind,
    Outcome,
    ReportKind,
    ReportOutcome,
    StatusSummary,
)
from esm_bot.study.progress import DayOutcome, DayResult, Progress, close_day

__all__ = [
    "ACTIVE_STATUSES",
    "AWAITING_KEY",
    "PHENOMENA_NORMS",
    "PRACTICE_INDEX_BASE",
    "Action",
    "ActionKind",
    "ComplianceRow",
    "DayOutcome",
    "DayResult",
    "Message",
    "MessageKey",
    "Outcome",
    "PersonalHint",
    "PhenomenonRow",
    "Progress",
    "ReportKind",
    "ReportOutcome",
    "StatusSummary",
    "Study",
    "ValidateFunction",
    "close_day",
    "parse_window",
]
