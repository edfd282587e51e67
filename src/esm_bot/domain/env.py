"""How the bot reads its settings from the environment: one mechanism for every settings class.

A settings class (``attrs``) names each field's environment variable and parser with
:func:`env_field`; :func:`read_env` reads every such field of a class (an unset or blank variable
keeps the field's default) and :func:`variables` lists them for docs and health checks. A value
that cannot be parsed raises :class:`SettingsError` naming the variable; a parser never echoes a
value of a secret field.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import attrs

__all__ = [
    "SettingsError",
    "env_field",
    "number",
    "read_env",
    "text",
    "variables",
]

_VARIABLE = "esm_env_variable"
_PARSE = "esm_env_parse"

T = TypeVar("T")
N = TypeVar("N", int, float)

#: A parser: (variable name, stripped non-empty text) → value, or :class:`SettingsError`.
Parser = Callable[[str, str], Any]


class SettingsError(ValueError):
    """A setting of the bot is missing or invalid; the message names the variable."""


def text(variable: str, raw: str) -> str:
    """The text as given (stripped)."""
    return raw


def number(kind: type[N], *, low: float, high: float = math.inf) -> Callable[[str, str], N]:
    """A parser of one ``int`` or ``float`` within ``low..high``."""

    def parse(variable: str, raw: str) -> N:
        what = "a whole number" if kind is int else "a number"
        try:
            value = kind(raw)
        except ValueError:
            raise SettingsError(f"{variable} must be {what}, got {raw!r}") from None
        if not math.isfinite(value) or not low <= value <= high:
            bounds = f">= {low:g}" if high == math.inf else f"between {low:g} and {high:g}"
            raise SettingsError(f"{variable} must be {what} {bounds}, got {raw!r}")
        return value

    return parse


def env_field(variable: str, parse: Parser = text, **kwargs: Any) -> Any:
    """An ``attrs`` field read from ``variable`` with ``parse`` (other arguments go to attrs)."""
    return attrs.field(metadata={_VARIABLE: variable, _PARSE: parse}, **kwargs)


def variables(cls: type) -> dict[str, str]:
    """Environment variable → field name, for every field of ``cls`` read from the environment."""
    return {f.metadata[_VARIABLE]: f.name for f in attrs.fields(cls) if _VARIABLE in f.metadata}


def read_env(cls: type, environ: Mapping[str, str]) -> dict[str, Any]:
    """The parsed values of the variables of ``cls`` that are set (blank counts as unset)."""
    values: dict[str, Any] = {}
    for field in attrs.fields(cls):
        variable = field.metadata.get(_VARIABLE)
        if variable is None:
            continue
        raw = environ.get(variable, "").strip()
        if raw:
            values[field.name] = field.metadata[_PARSE](variable, raw)
    return values
