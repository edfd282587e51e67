"""``esm-bot report``: one self-contained HTML file about a study with its figures embedded
(docs/report.md); matplotlib (the ``report`` extra) is imported only here."""

from __future__ import annotations

import base64
import datetime as dt
import html
import os
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

from esm_bot.domain.clock import utc_now
from esm_bot.domain.config import StudyConfig
from esm_bot.ops import stats as st
from esm_bot.ops.export import write_atomically
from esm_bot.ops.rows import StudyRow, study_rows
from esm_bot.store.base import Store

from . import figures

__all__ = ["REPORT_NAME", "build_report", "issue_shares"]

#: File name of the report inside the output folder.
REPORT_NAME: Final = "esm_report.html"
_TOP_ISSUES: Final = 6


def issue_shares(rows: Sequence[StudyRow], top: int = _TOP_ISSUES) -> dict[str, dict[int, float]]:
    """Percent of first reports per study day with each of the ``top`` most frequent issue codes."""
    scored = [
        r
        for r in rows
        if r.answered and r.attempt == 1 and r.study_day is not None and r.is_study_beep
    ]
    totals: Counter[int] = Counter(r.study_day or 0 for r in scored)
    per_code: dict[str, Counter[int]] = defaultdict(Counter)
    for row in scored:
        for code in set(row.issue_codes or ()):
            per_code[code][row.study_day or 0] += 1
    common = sorted(per_code, key=lambda code: -per_code[code].total())[:top]
    return {
        code: {d: 100.0 * per_code[code][d] / totals[d] for d in sorted(totals)} for code in common
    }


def _img(png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode("ascii")
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
    title: str = "ESM study report",
) -> Path:
    """Write ``out_dir/esm_report.html`` (participants as the export's pseudonyms); return its
    path. ImportError: matplotlib is not installed."""
    env: Mapping[str, str] = os.environ if environ is None else environ
    rows = list(study_rows(store, environ=env))
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
    quality_png = figures.quality_figure(
        per_participant, overall, config.training_days, config.pass_marks
    )
    generated = now().astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f'<p class="note">Generated {generated} by esm-bot report. Participants are pseudonyms '
        "(the same as in esm-bot export).</p>",
        "<h2>Summary</h2>",
        _summary(stats),
        "<h2>Quality by training day</h2>",
        "<p>Mean validator score per study day of the first report to each beep (a training "
        "retry follows the day's feedback, so it is left out); the dashes are the "
        "day's pass mark, the dotted lines what the original MSE bot expected: quality growing "
        "from about 40 to 70+ over the three training days.</p>",
        _img(quality_png, "Quality by study day"),
        _table(("study day", "mean score"), list(overall.items())),
        participants,
        "<h2>Phenomena against Heavey &amp; Hurlburt (2008)</h2>",
        "<p>Percent of samples (best attempt per answered beep) with each phenomenon; a sample "
        "can show several. The norms are percent of samples of 30 students.</p>",
        _img(figures.phenomena_figure(phenomena, st.NORMS), "Phenomena frequencies"),
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
        _img(figures.compliance_figure(by_day, by_hour), "Compliance by day and hour"),
        _table(("study day", "on time", "delivered"), [(k, *v) for k, v in by_day.items()]),
        _table(("local hour", "on time", "delivered"), [(k, *v) for k, v in by_hour.items()]),
        "<h2>Issue codes over time</h2>",
        "<p>Percent of first reports per study day with each of the most frequent issue codes. "
        "A day without reports has no point (a gap in the line, a dash in the table), and the "
        "markers of codes with equal shares sit side by side.</p>",
        _img(figures.issues_figure(shares, study_days), "Issue codes over time"),
        _table(
            ("issue code", *(f"day {d}" for d in study_days)),
            [(c, *(s.get(d) for d in study_days)) for c, s in shares.items()],
        ),
        "</body></html>",
    ]
    path = Path(out_dir) / REPORT_NAME
    write_atomically(path, lambda handle: handle.write("\n".join(parts)))
    return path
