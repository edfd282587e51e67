"""The seams of :mod:`esm_validate`, as :class:`typing.Protocol` classes.

Anything with the right methods fits: a researcher's own backend or rule needs no import from us.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol, runtime_checkable

from ._types import Assessment

__all__ = ["Clock", "Sleep", "Validator"]

#: Returns seconds from a monotonic clock (``time.monotonic`` in production).
Clock = Callable[[], float]
#: Sleeps for the given seconds (``time.sleep`` in production).
Sleep = Callable[[float], None]


@runtime_checkable
class Validator(Protocol):
    """Anything that turns a report into an :class:`~esm_validate.Assessment`.

    Every layer (cache, fallback, rate limit, AI) is a Validator wrapping another one.
    """

    def validate(
        self,
        text: str,
        *,
        user_id: str | None = None,
        training_day: int | None = None,
        lang: str | None = None,
    ) -> Assessment:
        """Assess one report."""
        ...

    def stats(self) -> Mapping[str, Any]:
        """Return a plain mapping of counters (see :mod:`esm_validate.metrics`)."""
        ...
