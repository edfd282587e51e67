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
    if match is None:
        return tz
    sign = "-" if match.group(1) == "+" else "+"
    return f"UTC{sign}{int(match.group(2))}"


def present(params: Mapping[str, Any], lang: str, form: str) -> dict[str, Any]:
    """Turn the engine's raw parameters into displayable values in ``lang``/``form``.

    Codes become catalogue texts (``focus`` → ``focus_<code>``, ``state`` → ``state_<code>``,
    ``quality`` → ``quality_<label>``), ``first_day`` (with ``today``) a day as people say it
    ("tomorrow, Tuesday 3 March"), an empty ``tip`` becomes the day focus's default tip,
    ``strengths`` a sentence, lists are joined, floats rounded and None shown as "–".
    """
    known = i18n.keys(lang)
    out = dict(params)
    if isinstance(out.get("tz"), str):
        out["tz"] = tz_label(out["tz"])
    if isinstance(out.get("first_day"), str) and isinstance(out.get("today"), str):
        first, today = dt.date.fromisoformat(out["first_day"]), dt.date.fromisoformat(out["today"])
        out["first_day"] = i18n.day_label(first, today, lang)
    focus = str(out.get("focus", ""))
    if "tip" in out and not out["tip"]:
        out["tip"] = i18n.render(f"tip_{focus}", lang, form) if f"tip_{focus}" in known else ""
    if f"focus_{focus}" in known:
        out["focus"] = i18n.render(f"focus_{focus}", lang, form)
    if f"quality_{out.get('quality')}" in known:
        out["quality"] = i18n.render(f"quality_{out['quality']}", lang, form)
    if f"state_{out.get('state')}" in known:
        out["state"] = i18n.render(f"state_{out['state']}", lang, form)
    if isinstance(out.get("strengths"), list | tuple):
        items = "; ".join(str(s) for s in out["strengths"])
        out["strengths"] = (
            i18n.render("feedback_strengths", lang, form, items=items)
            if items
            else i18n.render("feedback_no_strengths", lang, form)
        )
    for name, value in out.items():
        if value is None:
            out[name] = "–"
        elif isinstance(value, float):
            out[name] = f"{value:.0f}"
        elif isinstance(value, list | tuple | set | frozenset):
            out[name] = ", ".join(str(v) for v in value)
    return out
