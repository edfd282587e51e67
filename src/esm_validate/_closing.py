"""A mixin that makes anything with ``close()`` a context manager."""

from __future__ import annotations

from types import TracebackType
from typing import Self

__all__ = ["ClosesOnExit"]


class ClosesOnExit:
    """Adds ``with`` support to a class that defines ``close()``."""

    def close(self) -> None:
        """Release resources (subclasses override)."""

    def __enter__(self) -> Self:
        """Return self; :meth:`close` runs on exit."""
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Call :meth:`close`."""
        self.close()
