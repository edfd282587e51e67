"""Settings from the environment: fields declared with :func:`env_field`, built by :func:`from_env`
(blank keeps the default; a bad value is a :class:`SettingsError` naming the variable)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import attrs

__all__ = ["SettingsError", "env_field", "from_env", "number", "read_env", "variables"]

_VARIABLE = "esm_env_variable"
_PARSE = "esm_env_parse"

T = TypeVar("T")
N = TypeVar("N", int, float)

#: A parser: (variable name, stripped non-empty text) → value, or :class:`SettingsError`.
Parser = Callable[[str, str], Any]


class SettingsError(ValueError):
    """A setting of the bot is missing or invalid; the message names the variable."""


def number(
    kind: type[N], low: float = -math.inf, high: float = math.inf
) -> Callable[[str, str], N]:
    """A parser of one finite ``int`` or ``float`` within ``low..high``."""

    def parse(variable: str, raw: str) -> N:
        what = "a whole number" if kind is int else "a number"
        if "," in raw:
            raise SettingsError(f"{variable} must be one number, got {raw!r}")
        try:
            value = kind(raw)
        except ValueError:
            raise SettingsError(f"{variable} must be {what}, got {raw!r}") from None
        if not math.isfinite(value) or not low <= value <= high:
            bounds = f" between {low:g} and {high:g}" if high < math.inf else f" >= {low:g}"
            bounds = bounds if low > -math.inf else ""
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


def read_env(cls: type, environ: Mapping[str, str]) -> dict[str, Any]:
    """The parsed values of the variables of ``cls`` that are set (blank counts as unset)."""
    values: dict[str, Any] = {}
    for field in attrs.fields(cls):
        variable = field.metadata.get(_VARIABLE)
        raw = environ.get(variable, "").strip() if variable else ""
        if raw:
            values[field.name] = field.metadata[_PARSE](variable, raw)
    return values


def from_env(cls: type[T], environ: Mapping[str, str], **defaults: Any) -> T:
    """Build ``cls`` from ``environ`` (``defaults`` fill unset fields); an error of the class's own
    checks that names fields gets their variables appended."""
    try:
        return cls(**{**defaults, **read_env(cls, environ)})
    except SettingsError as exc:
        names = variables(cls)
        if any(variable in str(exc) for variable in names):
            raise
        named = [variable for variable, field in names.items() if field in str(exc)]
        raise SettingsError(f"{exc} (check {', '.join(named)})" if named else str(exc)) from None
