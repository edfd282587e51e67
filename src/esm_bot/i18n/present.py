"""Presentation: the study engine's raw message parameters as a participant reads them."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from esm_bot import i18n

__all__ = ["present", "tz_label"]


def tz_label(tz: str) -> str:
    """A zone as a participant reads it: ``Etc/GMT-3`` (POSIX sign) is shown as ``UTC+3``."""
    match = re.fullmatch(r"Etc/GMT([+-])(\d{1,2})", tz)
    return tz if match is None else f"UTC{'-' if match[1] == '+' else '+'}{int(match[2])}"


def present(params: Mapping[str, Any], lang: str, form: str) -> dict[str, Any]:
    """The engine's raw parameters as displayable values in ``lang``/``form``: codes become texts,
    ``first_day`` a day as people say it; lists joined, floats rounded, None shown as "–"."""
    known = i18n.keys(lang)
    out = dict(params)
    if isinstance(out.get("tz"), str):
        out["tz"] = tz_label(out["tz"])
    if isinstance(out.get("first_day"), str) and isinstance(out.get("today"), str):
        first, today = dt.date.fromisoformat(out["first_day"]), dt.date.fromisoformat(out["today"])
        out["first_day"] = i18n.day_label(first, today, lang)
    focus = out.get("focus")
    if "tip" in out and not out["tip"]:
        out["tip"] = i18n.render(f"tip_{focus}", lang, form) if f"tip_{focus}" in known else ""
    for name in ("focus", "quality", "state"):
        if f"{name}_{out.get(name)}" in known:
            out[name] = i18n.render(f"{name}_{out[name]}", lang, form)
    if isinstance(out.get("strengths"), list | tuple):
        items = "; ".join(str(s) for s in out["strengths"])
        key = "feedback_strengths" if items else "feedback_no_strengths"
        out["strengths"] = i18n.render(key, lang, form, items=items)
    for name, value in out.items():
        if value is None:
            out[name] = "–"
        elif isinstance(value, float):
            out[name] = f"{value:.0f}"
        elif isinstance(value, list | tuple | set | frozenset):
            out[name] = ", ".join(str(v) for v in value)
    return out
