"""Run CheckList cases against a validator and summarise pass rates per capability."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence

import attrs

from esm_validate import Assessment

from .generator import PASS_MARK, Case

#: ``assess(text, lang)``: the validator under test.
Assess = Callable[[str, str], Assessment]


@attrs.frozen
class Outcome:
    """Pass rate of one capability.

    Attributes:
        capability: The capability key.
        total: Cases run.
        passed: Cases that held.
        failures: Up to a few failing cases with the scores seen, for the summary.
    """

    capability: str
    total: int
    passed: int
    failures: tuple[str, ...] = ()

    @property
    def rate(self) -> float:
        """Share of cases that held (1.0 for a capability without cases)."""
        return self.passed / self.total if self.total else 1.0


def holds(case: Case, first: Assessment, second: Assessment | None) -> bool:
    """Whether a case's expectation holds for the assessments of its report(s)."""
    check, arg = case.expect.check, case.expect.arg
    if check == "phenomenon":
        return arg in first.phenomena
    if check == "no_phenomenon":
        return arg not in first.phenomena
    if check == "issue":
        return arg in first.issue_codes
    if check == "no_issue":
        return arg not in first.issue_codes
    if check == "no_strengths":
        return not first.strengths
    if check == "min_score":
        return first.score >= int(arg)
    if check == "max_score":
        return first.score < int(arg)
    if second is None:
        raise ValueError(f"{case.capability}: a {check!r} case needs a second report")
    if check == "invariant":
        same_verdict = (first.score >= PASS_MARK) == (second.score >= PASS_MARK)
        return abs(first.score - second.score) <= int(arg) and same_verdict
    if check == "lower":
        return second.score < first.score
    if check == "higher":
        return second.score > first.score
    raise ValueError(f"unknown check {check!r}")


def run(cases: Iterable[Case], assess: Assess, *, examples: int = 3) -> dict[str, Outcome]:
    """Run every case (each distinct report is assessed once) and tally by capability."""
    memo: dict[tuple[str, str], Assessment] = {}

    def judged(text: str, lang: str) -> Assessment:
        key = (text, lang)
        if key not in memo:
            memo[key] = assess(text, lang)
        return memo[key]

    totals: dict[str, list[int]] = {}
    failures: dict[str, list[str]] = {}
    for case in cases:
        first = judged(case.text, case.lang)
        second = judged(case.other, case.lang) if case.other is not None else None
        tally = totals.setdefault(case.capability, [0, 0])
        tally[0] += 1
        if holds(case, first, second):
            tally[1] += 1
        elif len(failures.setdefault(case.capability, [])) < examples:
            failures[case.capability].append(_describe(case, first, second))
    return {
        key: Outcome(key, total, passed, tuple(failures.get(key, ())))
        for key, (total, passed) in totals.items()
    }


def _describe(case: Case, first: Assessment, second: Assessment | None) -> str:
    shown = f"{case.text!r} -> {first.score} {sorted(first.phenomena)} {list(first.issue_codes)}"
    if second is not None:
        shown += f" | {case.other!r} -> {second.score}"
    return shown


def floor_of(rate: float) -> float:
    """A rate rounded down to two decimals (the ratchet never sits above what was measured)."""
    return math.floor(rate * 100 + 1e-9) / 100


def summary(
    outcomes: Mapping[str, Outcome],
    floors: Mapping[str, float] | None = None,
    *,
    show_failures: bool = False,
) -> str:
    """A table: capability, cases, pass rate, and its floor when given."""
    width = max((len(key) for key in outcomes), default=10)
    header = f"{'capability':<{width}}  {'cases':>5}  {'pass':>5}"
    lines = [header + ("  floor" if floors is not None else ""), "-" * (len(header) + 7)]
    for key in sorted(outcomes):
        o = outcomes[key]
        line = f"{key:<{width}}  {o.total:>5}  {o.rate:>5.2f}"
        if floors is not None:
            floor = floors.get(key)
            line += "  " + ("  new" if floor is None else f"{floor:>5.2f}")
            if floor is not None and o.rate < floor:
                line += "  BELOW FLOOR"
        lines.append(line)
        if show_failures:
            lines += [f"    ✗ {failure}" for failure in o.failures]
    total = sum(o.total for o in outcomes.values())
    passed = sum(o.passed for o in outcomes.values())
    lines.append(f"{len(outcomes)} capabilities, {total} cases, {passed / max(total, 1):.2f} pass")
    return "\n".join(lines)


def floors_table(outcomes: Mapping[str, Outcome]) -> str:
    """Python source of a FLOORS table at today's rates rounded down (to paste into the test)."""
    lines = ["FLOORS: dict[str, float] = {"]
    lines += [f'    "{key}": {floor_of(outcomes[key].rate):.2f},' for key in sorted(outcomes)]
    lines.append("}")
    return "\n".join(lines)


def by_kind(outcomes: Mapping[str, Outcome], kinds: Sequence[str]) -> dict[str, Outcome]:
    """The outcomes whose capability starts with one of ``kinds`` (``mft``, ``inv``, ``dir``)."""
    return {key: o for key, o in outcomes.items() if key.split("/", 1)[0] in kinds}
