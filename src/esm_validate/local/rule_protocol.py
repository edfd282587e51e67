"""The :class:`LocalRule` Protocol (its own module: a runtime-checkable Protocol cannot be
compiled with mypyc, the rules can)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from esm_validate._types import Issue

if TYPE_CHECKING:
    from .report import Report

__all__ = ["LocalRule"]


@runtime_checkable
class LocalRule(Protocol):
    """A check of one report: a researcher's own rule needs only these two members.

    Example::

        class MentionsCoffee:
            code = "mentions_coffee"

            def check(self, report: Report) -> Iterable[Issue]:
                span = report.first("activity")
                if "coffee" in report.normalised:
                    yield Issue(self.code, "Coffee again?", Severity.INFO, span)
    """

    @property
    def code(self) -> str:
        """The issue code this rule reports (a built-in code or your own)."""
        ...

    def check(self, report: Report) -> Iterable[Issue]:
        """Yield the issues this rule finds in ``report`` (none when it is fine)."""
        ...
