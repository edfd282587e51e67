"""The study report's figures as PNG bytes, drawn with matplotlib's object API on the Agg canvas:
no ``pyplot``, no global backend switch, so the bot can draw them from any thread."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = [
    "compliance_figure",
    "dodge",
    "issue_series",
    "issues_figure",
    "phenomena_figure",
    "quality_figure",
]

_DPI = 110
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
_COLORS = ("#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860", "#da8bc3", "#8c8c8c")


def _new_figure(width: float, height: float) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=_DPI, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _png(figure: Any) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def quality_figure(
    per_participant: Mapping[str, Mapping[int, float]],
    overall: Mapping[int, float],
    training_days: int,
    pass_marks: Mapping[int, float],
) -> bytes:
    """Mean score per study day: a thin line per participant, the overall mean bold, the
    original MSE bot's expectation (about 40 on day 1 → 70+ by day 3), training days shaded."""
    figure = _new_figure(7.5, 4.2)
    ax = figure.add_subplot()
    days = sorted({d for series in per_participant.values() for d in series} | set(overall))
    if training_days and days:
        ax.axvspan(0.5, training_days + 0.5, color="#f2f2f2", zorder=0, label="training days")
    for _, series in sorted(per_participant.items()):
        xs = sorted(series)
        ax.plot(xs, [series[d] for d in xs], color="#9aa7b8", linewidth=0.9, alpha=0.8, zorder=1)
    if overall:
        xs = sorted(overall)
        ys = [overall[d] for d in xs]
        style = {"color": _COLORS[0], "linewidth": 2.6, "marker": "o", "zorder": 3}
        ax.plot(xs, ys, label="all participants", **style)
        for d in xs:
            ax.annotate(
                f"{overall[d]:.0f}",
                (d, overall[d]),
                textcoords="offset points",
                xytext=(0, 8 if overall[d] < 90 else -14),
                ha="center",
                fontsize=8,
            )
    for day, mark in sorted(pass_marks.items()):
        ax.hlines(mark, day - 0.4, day + 0.4, colors=_COLORS[3], linestyles="dashed", zorder=2)
    for level, color, label in ((40, 1, "day 1 ≈ 40"), (70, 2, "70+ by day 3")):
        label = f"original MSE bot: {label}"
        ax.axhline(level, color=_COLORS[color], linewidth=0.8, linestyle=":", label=label)
    ax.set_xlabel("study day")
    ax.set_ylabel("mean score (0–100)")
    ax.set_ylim(0, 100)
    if days:
        ax.set_xticks(days)
    ax.set_title("Report quality by day (thin lines: participants; dashes: pass marks)")
    ax.legend(loc="lower right", fontsize=8)
    return _png(figure)


def phenomena_figure(observed: Mapping[str, float], norms: Mapping[str, float]) -> bytes:
    """Percent of samples with each phenomenon, this study against Heavey & Hurlburt (2008)."""
    figure = _new_figure(7.5, 3.8)
    ax = figure.add_subplot()
    codes = list(observed)
    xs = range(len(codes))
    for offset, values, label, color in (
        (-0.2, [observed[c] for c in codes], "this study", _COLORS[0]),
        (0.2, [norms.get(c, 0.0) for c in codes], "Heavey & Hurlburt 2008", _COLORS[7]),
    ):
        ax.bar([x + offset for x in xs], values, 0.4, label=label, color=color)
    ax.set_xticks(list(xs), [c.replace("_", "\n") for c in codes], fontsize=8)
    ax.set_ylabel("% of samples")
    ax.set_title("Phenomena frequencies against the norms")
    ax.legend(fontsize=8)
    return _png(figure)


def compliance_figure(
    by_day: Mapping[Any, tuple[int, int]], by_hour: Mapping[Any, tuple[int, int]]
) -> bytes:
    """Beeps answered on time among delivered ones, by study day and by local hour."""
    figure = _new_figure(7.5, 3.6)
    left, right = figure.subplots(1, 2, sharey=True)
    for ax, table, label in ((left, by_day, "study day"), (right, by_hour, "local hour")):
        keys = [k for k in table if k is not None]
        rates = [100.0 * table[k][0] / table[k][1] if table[k][1] else 0.0 for k in keys]
        ax.bar([str(k) for k in keys], rates, color=_COLORS[2])
        ax.axhline(79, color=_COLORS[3], linewidth=0.8, linestyle="--", label="ESM average 79%")
        ax.set_xlabel(label)
        ax.set_ylim(0, 100)
    left.set_ylabel("% of delivered beeps answered on time")
    left.legend(fontsize=8, loc="lower left")
    figure.suptitle("Compliance")
    return _png(figure)


def dodge(count: int, spread: float = 0.4) -> list[float]:
    """Horizontal offsets that set ``count`` series side by side within ``spread`` of a tick (so
    equal shares on a day do not hide each other's markers)."""
    if count <= 1:
        return [0.0] * count
    step = spread / (count - 1)
    return [-spread / 2 + i * step for i in range(count)]


def issue_series(series: Mapping[int, float], days: Sequence[int]) -> list[float]:
    """The y values of one issue code over ``days``: NaN (a gap) where the day has no reports."""
    return [series.get(d, float("nan")) for d in days]


def issues_figure(shares: Mapping[str, Mapping[int, float]], days: Sequence[int]) -> bytes:
    """Share of reports with each issue code per study day: a day without reports is a gap,
    each code's markers are moved sideways (:func:`dodge`) and drawn in their own shape."""
    figure = _new_figure(7.5, 4.0)
    ax = figure.add_subplot()
    offsets = dodge(len(shares))
    for i, (code, series) in enumerate(shares.items()):
        ax.plot(
            [d + offsets[i] for d in days],
            issue_series(series, days),
            marker=_MARKERS[i % len(_MARKERS)],
            markersize=6,
            markerfacecolor="none" if i % 2 else _COLORS[i % len(_COLORS)],
            linewidth=1.6,
            color=_COLORS[i % len(_COLORS)],
            label=code,
        )
    ax.set_xlabel("study day")
    ax.set_ylabel("% of reports")
    ax.set_ylim(-2, 102)
    if days:
        ax.set_xticks(list(days))
    ax.set_title("Issue codes over time")
    if shares:
        ax.legend(fontsize=8, ncols=2)
    return _png(figure)
