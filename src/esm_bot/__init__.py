"""esm_bot: a small synchronous Telegram bot that runs a Descriptive Experience Sampling study."""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

__all__ = ["Study", "StudyConfig", "__version__", "parse_timezone", "plan_day"]

_LAZY = {
    "Study": "esm_bot.study",
    "StudyConfig": "esm_bot.settings",
    "parse_timezone": "esm_bot.domain.schedule",
    "plan_day": "esm_bot.domain.schedule",
}


def __getattr__(name: str) -> Any:
    """Import the study engine's public names on first use (``import esm_bot`` stays light)."""
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'esm_bot' has no attribute {name!r}")
