"""The study engine, no Telegram: :class:`Study` and its outcomes (docs/architecture.md)."""

from __future__ import annotations

from esm_bot.study.analytics import PHENOMENA_NORMS
from esm_bot.study.days import DayOutcome, Progress, close_day
from esm_bot.study.engine import AWAITING_KEY, Study, ValidateFunction, parse_window
from esm_bot.study.outcomes import Action, ActionKind, Message, MessageKey, Outcome, ReportKind

__all__ = [
    "AWAITING_KEY",
    "PHENOMENA_NORMS",
    "Action",
    "ActionKind",
    "DayOutcome",
    "Message",
    "MessageKey",
    "Outcome",
    "Progress",
    "ReportKind",
    "Study",
    "ValidateFunction",
    "close_day",
    "parse_window",
]
