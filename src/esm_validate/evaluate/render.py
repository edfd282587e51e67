"""Render an evaluation as plain text for a terminal."""

from __future__ import annotations

from collections.abc import Sequence

from .figures import CodeFigure, Evaluation, Figure, GroupResult

__all__ = ["render_table"]


def _fmt(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _fmt_figure(figure: Figure) -> str:
    if figure.value is None:
        return "n/a (needs good and poor)"
    if figure.low is None or figure.high is None:
        return _fmt(figure.value)
    return f"{_fmt(figure.value)} [{_fmt(figure.low)}, {_fmt(figure.high)}]"


def render_table(evaluation: Evaluation, *, threshold_note: str = "") -> str:
    """Render an evaluation as plain text for a terminal."""
    lines = [
        f"Evaluation of {evaluation.source or 'the input'}",
        f"threshold: score >= {evaluation.threshold} is called good"
        + (f" ({threshold_note})" if threshold_note else ""),
        f"intervals: {evaluation.level:.0%} percentile bootstrap, {evaluation.resamples} "
        f"stratified resamples, seed {evaluation.seed}",
        "",
    ]
    lines += _render_group(evaluation.overall)
    for group in evaluation.groups:
        lines += ["", f"--- {evaluation.group_by} = {group.name} ---"]
        lines += _render_group(group)
    return "\n".join(lines) + "\n"


def _render_group(group: GroupResult) -> list[str]:
    counts = ", ".join(f"{label} {n}" for label, n in group.counts.items())
    c = group.confusion
    lines = [
        f"reports: {group.size} ({counts})",
        f"{'':28}{'validator':<28}word count alone",
        f"{'AUROC good vs poor':<28}{_fmt_figure(group.auroc):<28}{_fmt_figure(group.baseline)}",
    ]
    for label, mean in group.mean_score.items():
        words = group.mean_words[label]
        lines.append(f"{'mean ' + label:<28}{mean:<28.1f}{words:.1f} words")
    lines += [
        "",
        f"{'confusion at ' + str(c.threshold):<28}{'called good':>11}  {'called poor':>11}",
        f"{'  good (incl. excellent)':<28}{c.good_as_good:>11}  {c.good_as_poor:>11}",
        f"{'  poor':<28}{c.poor_as_good:>11}  {c.poor_as_poor:>11}",
        f"  accuracy {_fmt(c.accuracy)}, sensitivity {_fmt(c.sensitivity)}, "
        f"specificity {_fmt(c.specificity)}",
    ]
    lines += _render_codes("phenomena", group.phenomena, group.annotated)
    if group.issues:
        lines += _render_codes("issues", group.issues, group.issues_annotated)
    return lines


def _render_codes(name: str, figures: Sequence[CodeFigure], annotated: int) -> list[str]:
    if not figures:
        return ["", f"{name}: no row gives a {name!r} column"]
    title = f"{name} ({annotated} annotated rows)"
    lines = ["", f"{title:<30}{'precision':>11}{'recall':>8}{'expected':>10}"]
    for p in figures:
        lines.append(f"  {p.code:<28}{_fmt(p.precision):>11}{_fmt(p.recall):>8}{p.support:>10}")
    return lines
