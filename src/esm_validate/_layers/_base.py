"""What every layer shares: turning a function into a validator, and a few helpers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from esm_validate._types import Assessment
from esm_validate.local import validate as validate_locally
from esm_validate.protocols import LocalFunction, Validator

__all__ = [
    "ForwardingLayer",
    "FunctionValidator",
    "as_validator",
    "close_quietly",
    "find_layer",
    "forward_attr",
    "inner_stats",
]


class FunctionValidator:
    """Turn a plain function (default: the local rules) into a Validator.

    Args:
        function: ``function(text, *, lang=None, training_day=None) -> Assessment``; ``user_id`` is
            not passed, because local rules do not depend on who wrote the report.
    """

    provider = "local"
    model: str | None = None

    def __init__(self, function: LocalFunction | None = None) -> None:
        self.function: LocalFunction = function or validate_locally

    def validate(
        self,
        text: str,
        *,
        user_id: str | None = None,
        training_day: int | None = None,
        lang: str | None = None,
    ) -> Assessment:
        """Call the function with the report, its language and the training day."""
        return self.function(text, lang=lang, training_day=training_day)

    def stats(self) -> Mapping[str, Any]:
        """A function keeps no counters: an empty mapping."""
        return {}

    def __repr__(self) -> str:
        name = getattr(self.function, "__qualname__", type(self.function).__name__)
        return f"FunctionValidator({name})"


def as_validator(validator: Validator | LocalFunction | None) -> Validator:
    """Return ``validator`` if it has ``validate``; wrap a function; None means the local rules."""
    if validator is None:
        return FunctionValidator()
    if callable(getattr(validator, "validate", None)):
        return cast(Validator, validator)
    if callable(validator):
        return FunctionValidator(validator)
    raise TypeError(f"expected a validator or a function, got {type(validator).__name__}")


def forward_attr(inner: object, name: str, default: Any = None) -> Any:
    """Return ``inner.<name>`` (layers forward ``provider``, ``model``, ``cache_identity``)."""
    return getattr(inner, name, default)


def inner_stats(inner: object) -> dict[str, Any]:
    """Return a copy of ``inner.stats()``, or an empty dict when it has none."""
    stats = getattr(inner, "stats", None)
    return dict(stats()) if callable(stats) else {}


def close_quietly(obj: object) -> None:
    """Call ``obj.close()`` if it has one (layers close what they wrap)."""
    close = getattr(obj, "close", None)
    if callable(close):
        close()


def find_layer(validator: object, kind: type[Any]) -> Any | None:
    """Return the first layer of type ``kind`` in a stack, walking ``.inner`` / ``.primary``."""
    seen: set[int] = set()
    current: object | None = validator
    while current is not None and id(current) not in seen:
        if isinstance(current, kind):
            return current
        seen.add(id(current))
        current = getattr(current, "inner", None) or getattr(current, "primary", None)
    return None


class ForwardingLayer:
    """Base of the layers: forwards ``provider``, ``model`` and ``cache_identity`` from ``inner``.

    A layer changes how a request is served, not who answers it, so these describe the validator
    at the bottom of the stack (the AI validator) whatever wraps it.
    """

    inner: Validator

    @property
    def provider(self) -> str:
        """The provider of the wrapped validator (``"local"`` when it names none)."""
        return str(forward_attr(self.inner, "provider", "local"))

    @property
    def model(self) -> str | None:
        """The model of the wrapped validator, if any."""
        model = forward_attr(self.inner, "model")
        return None if model is None else str(model)

    @property
    def cache_identity(self) -> Any:
        """The wrapped validator's cache identity (what besides the request changes answers)."""
        return forward_attr(self.inner, "cache_identity")
