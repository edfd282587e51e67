"""esm_bot: a small synchronous Telegram bot that runs a Descriptive Experience Sampling study."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
