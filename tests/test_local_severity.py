"""Issues of custom rules: ordered and scored by their severity, like the built-in ones.

The engine and the score tell the severities apart by identity (a cheap test on the hot path):
these tests pin what that must give for every member.
"""

from __future__ import annotations

import attrs

from esm_validate import Issue, LocalValidator, Severity
from esm_validate.local import DEFAULT_RULES, Report

#: A report without a built-in issue (its score has room to fall).
_GOOD = "At the beep I said to myself 'call back' in my own voice, holding the phone."
#: A report with built-in warnings (generalization, hedging, inferred, theorizing).
_HEDGED = "Probably I was thinking about work, I guess, because I always do."


@attrs.frozen
class Flags:
    """Flags every report with one issue of the given severity (no span)."""

    severity: Severity
    code: str = "flagged"

    def check(self, report: Report) -> tuple[Issue, ...]:
        """One issue, always."""
        return (Issue(self.code, "Flagged.", self.severity),)


def _validate(text: str, severity: Severity) -> tuple[int, tuple[str, ...]]:
    assessment = LocalValidator(rules=(*DEFAULT_RULES, Flags(severity))).validate(text)
    return assessment.score, assessment.issue_codes


def test_a_custom_issue_takes_by_its_severity() -> None:
    plain = LocalValidator().validate(_GOOD).score
    scores = {severity: _validate(_GOOD, severity)[0] for severity in Severity}
    assert scores[Severity.INFO] == plain  # a note takes nothing
    assert plain - scores[Severity.WARNING] == 15  # a warning takes 0.15 of every component
    assert scores[Severity.ERROR] <= 35 < scores[Severity.WARNING]  # an error: 0.4, and the cap


def test_a_custom_issue_is_ordered_by_its_severity() -> None:
    builtin = LocalValidator().validate(_HEDGED).issue_codes
    assert builtin  # warnings only
    assert _validate(_HEDGED, Severity.ERROR)[1] == ("flagged", *builtin)
    assert _validate(_HEDGED, Severity.INFO)[1] == (*builtin, "flagged")
    # a warning without a span comes after the built-in warnings (unknown codes rank last)
    assert _validate(_HEDGED, Severity.WARNING)[1] == (*builtin, "flagged")
