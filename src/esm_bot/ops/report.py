"""``esm-bot report``: one self-contained HTML file about a study with its figures embedded
(docs/report.md). matplotlib (the ``report`` extra) is imported only here, when a figure is drawn,
and used through its object API on the Agg canvas: no ``pyplot``, no global backend switch, so the
bot can draw from any thread."""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import os
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

from esm_bot.domain.models import utc_now
from esm_bot.ops import stats as st
from esm_bot.ops.export import StudyRow, study_rows, write_atomically
from esm_bot.settings import StudyConfig
from esm_bot.store.base import Store

__all__ = ["REPORT_NAME", "build_report", "dodge", "issue_series", "issue_shares"]

#: File name of the report inside the output folder.
REPORT_NAME: Final = "esm_report.html"
_TOP_ISSUES: Final = 6
_DPI = 110
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
_COLORS = ("#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860", "#da8bc3", "#8c8c8c")


def _new_figure(width: float, height: float) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=_DPI, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _quality_figure(
    per_participant: Mapping[str, Mapping[int, float]],
    overall: Mapping[int, float],
    training_days: int,
    pass_marks: Mapping[int, float],
) -> Any:
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
    ax.set(xlabel="study day", ylabel="mean score (0–100)", ylim=(0, 100))
    if days:
        ax.set_xticks(days)
    ax.set_title("Report quality by day (thin lines: participants; dashes: pass marks)")
    ax.legend(loc="lower right", fontsize=8)
    return figure


def _phenomena_figure(observed: Mapping[str, float], norms: Mapping[str, float]) -> Any:
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
    ax.set(ylabel="% of samples", title="Phenomena frequencies against the norms")
    ax.legend(fontsize=8)
    return figure


def _compliance_figure(
    by_day: Mapping[Any, tuple[int, int]], by_hour: Mapping[Any, tuple[int, int]]
) -> Any:
    """Beeps answered on time among delivered ones, by study day and by local hour."""
    figure = _new_figure(7.5, 3.6)
    left, right = figure.subplots(1, 2, sharey=True)
    for ax, table, label in ((left, by_day, "study day"), (right, by_hour, "local hour")):
        keys = [k for k in table if k is not None]
        rates = [100.0 * table[k][0] / table[k][1] if table[k][1] else 0.0 for k in keys]
        ax.bar([str(k) for k in keys], rates, color=_COLORS[2])
        ax.axhline(79, color=_COLORS[3], linewidth=0.8, linestyle="--", label="ESM average 79%")
        ax.set(xlabel=label, ylim=(0, 100))
    left.set_ylabel("% of delivered beeps answered on time")
    left.legend(fontsize=8, loc="lower left")
    figure.suptitle("Compliance")
    return figure


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


def _issues_figure(shares: Mapping[str, Mapping[int, float]], days: Sequence[int]) -> Any:
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
    ax.set(xlabel="study day", ylabel="% of reports", ylim=(-2, 102), title="Issue codes over time")
    if days:
        ax.set_xticks(list(days))
    if shares:
        ax.legend(fontsize=8, ncols=2)
    return figure


def issue_shares(rows: Sequence[StudyRow], top: int = _TOP_ISSUES) -> dict[str, dict[int, float]]:
    """Percent of first attempts per study day with each of the ``top`` commonest issue codes."""
    scored = [r for r in st.first_attempts(rows) if r.study_day is not None]
    totals: Counter[int] = Counter(r.study_day or 0 for r in scored)
    per_code: dict[str, Counter[int]] = defaultdict(Counter)
    for row in scored:
        for code in set(row.issue_codes or ()):
            per_code[code][row.study_day or 0] += 1
    common = sorted(per_code, key=lambda code: (-per_code[code].total(), code))[:top]
    return {
        code: {d: 100.0 * per_code[code][d] / totals[d] for d in sorted(totals)} for code in common
    }


def _img(figure: Any, alt: str) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_cell(c))}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _cell(value: Any) -> str:
    return "–" if value is None else f"{value:.1f}" if isinstance(value, float) else str(value)


_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:60rem;margin:2rem auto;
padding:0 1rem;color:#222;line-height:1.45}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2.2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.6rem 0;font-size:.9rem}
td,th{border:1px solid #ddd;padding:.25rem .6rem;text-align:right}
th{background:#f5f5f5}td:first-child,th:first-child{text-align:left}
img{max-width:100%;height:auto}.note{color:#666;font-size:.85rem}
"""


def _summary(stats: st.StudyStats) -> str:
    day = stats.quality_by_training_day
    claim = (
        f"measured {day[1]:.0f} on day 1 → {day[3]:.0f} on day 3"
        if 1 in day and 3 in day
        else "not measurable yet (needs reports on training days 1 and 3)"
    )
    rows = [
        ("Participants (consented, not deleted)", stats.participants),
        ("Registrations (every /start, deleted ones included)", stats.registrations),
        ("Answered study beeps (samples)", stats.samples),
        (
            "Reports (every answer to a beep: retries, practice and pilot beeps included)",
            stats.reports,
        ),
        ("Messages without a beep (kept, not scored)", stats.messages_without_beep),
        (
            "Compliance",
            f"{st.percent(stats.compliance)} of {stats.beeps_delivered} delivered beeps",
        ),
        ("Average quality", stats.average_quality),
        ("Validation success rate", st.percent(stats.validation_success_rate)),
        ("Training completion rate", st.percent(stats.training_completion_rate)),
        ("Original MSE bot: quality about 40 → 70+ over training", claim),
    ]
    return _table(("figure", "value"), rows)


def _participant_tables(groups: Mapping[str, Sequence[StudyRow]]) -> tuple[str, str]:
    """Each participant's samples, compliance and mean score; and their phenomena profiles."""
    table, profiles = [], []
    for name, group in groups.items():
        samples = st.best_attempts(group)
        on_time, delivered = st.compliance_totals(group)
        scores = [r.score for r in samples if r.score is not None]
        mean = statistics.fmean(scores) if scores else None
        table.append((name, len(samples), f"{on_time}/{delivered}", mean))
        if samples:
            shares = st.phenomena_frequencies(samples)
            profiles.append((name, len(samples), *(shares[code] for code in st.NORMS)))
    return (
        _table(("participant", "samples", "on time/delivered", "mean best score"), table),
        _table(("participant", "samples", *(f"{c} %" for c in st.NORMS)), profiles),
    )


def build_report(
    store: Store,
    out_dir: str | os.PathLike[str],
    *,
    environ: Mapping[str, str] | None = None,
    now: Callable[[], dt.datetime] = utc_now,
) -> Path:
    """Write ``out_dir/esm_report.html`` (participants as the export's pseudonyms); return its
    path. ImportError: matplotlib is not installed."""
    rows = list(study_rows(store, environ=os.environ if environ is None else environ))
    stats = st.study_stats(store, rows=rows)
    config = StudyConfig()
    groups: dict[str, list[StudyRow]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: r.participant):
        groups[row.participant].append(row)
    participants, profiles = _participant_tables(groups)
    study_days = sorted({r.study_day for r in rows if r.study_day and r.is_study_beep})
    overall = st.quality_by_day(rows, training_only=False)
    by_day, by_hour = st.compliance_by(rows, "study_day"), st.compliance_by(rows, "hour")
    shares, phenomena = issue_shares(rows), stats.phenomena
    per_participant = {
        name: st.quality_by_day(g, training_only=False) for name, g in groups.items()
    }
    quality = _quality_figure(per_participant, overall, config.training_days, config.pass_marks)
    generated = now().astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>ESM study report</title><style>{_CSS}</style></head><body>",
        "<h1>ESM study report</h1>",
        f'<p class="note">Generated {generated} by esm-bot report. Participants are pseudonyms '
        "(the same as in esm-bot export).</p>",
        "<h2>Summary</h2>",
        _summary(stats),
        "<h2>Quality by training day</h2>",
        "<p>Mean validator score per study day of the first report to each beep (a training "
        "retry follows the day's feedback, so it is left out); the dashes are the "
        "day's pass mark, the dotted lines what the original MSE bot expected: quality growing "
        "from about 40 to 70+ over the three training days.</p>",
        _img(quality, "Quality by study day"),
        _table(("study day", "mean score"), list(overall.items())),
        participants,
        "<h2>Phenomena against Heavey &amp; Hurlburt (2008)</h2>",
        "<p>Percent of samples (best attempt per answered beep) with each phenomenon; a sample "
        "can show several. The norms are percent of samples of 30 students.</p>",
        _img(_phenomena_figure(phenomena, st.NORMS), "Phenomena frequencies"),
        _table(
            ("phenomenon", "this study %", "norm %"),
            [(c, v, st.NORMS.get(c)) for c, v in phenomena.items()],
        ),
        "<p>Per participant: in Heavey &amp; Hurlburt's sample every phenomenon had someone at "
        "0% and inner seeing reached 90% for one person, so wide spreads are expected.</p>",
        profiles,
        "<h2>Compliance by day and hour</h2>",
        "<p>Beeps answered within their window among the delivered ones (practice, cancelled, "
        "future and undeliverable beeps excluded; a late answer counts as not on time). ESM "
        "studies average about 79% (Wrzus &amp; Neubauer 2023).</p>",
        _img(_compliance_figure(by_day, by_hour), "Compliance by day and hour"),
        _table(("study day", "on time", "delivered"), [(k, *v) for k, v in by_day.items()]),
        _table(("local hour", "on time", "delivered"), [(k, *v) for k, v in by_hour.items()]),
        "<h2>Issue codes over time</h2>",
        "<p>Percent of first reports per study day with each of the most frequent issue codes. "
        "A day without reports has no point (a gap in the line, a dash in the table), and the "
        "markers of codes with equal shares sit side by side.</p>",
        _img(_issues_figure(shares, study_days), "Issue codes over time"),
        _table(
            ("issue code", *(f"day {d}" for d in study_days)),
            [(c, *(s.get(d) for d in study_days)) for c, s in shares.items()],
        ),
        "</body></html>",
    ]
    path = Path(out_dir) / REPORT_NAME
    write_atomically(path, lambda handle: handle.write("\n".join(parts)))
    return path
