"""Reading bounded numbers from environment variables, with errors that name the variable."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TypeVar

from ._errors import ConfigurationError

__all__ = ["read_number"]

_N = TypeVar("_N", int, float)


def read_number(
    environ: Mapping[str, str], name: str, default: _N, *, low: _N, high: float = math.inf
) -> _N:
    """Return ``name`` parsed as the default's type (int or float), within ``low..high``.

    An unset or blank variable gives ``default``. Anything else that is not a finite number of
    that type in range raises :class:`~esm_validate.ConfigurationError` naming the variable and
    the value.
    """
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    kind = type(default)
    what = "a whole number" if kind is int else "a number"
    try:
        value = kind(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be {what}, got {raw!r}") from None
    if not math.isfinite(value) or not low <= value <= high:
        bounds = f">= {low}" if high == math.inf else f"between {low} and {high}"
        raise ConfigurationError(f"{name} must be {what} {bounds}, got {raw!r}")
    return value
