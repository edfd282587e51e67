"""``esm-bot report``: a self-contained HTML report of a study, for a lab meeting.

:func:`build_report` reads the study from the store (the same rows as the export, participants
pseudonymised) and writes one HTML file with its figures embedded as base64 PNGs, so it can be
mailed or opened offline:

* quality by study day, per participant and overall, against what the original MSE bot
  expected (about 40 → 70+);
* phenomena frequencies against Heavey & Hurlburt (2008);
* compliance by study day and by the participant's local hour;
* issue codes over time (a day without reports is a gap, not 0 %);

plus the tables behind each figure. matplotlib (the ``report`` extra) is imported only here.
"""

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
from esm_bot.ops.rows import StudyRow, study_rows
from esm_bot.ops.stats import (
    NORMS,
    StudyStats,
    best_attempts,
    compliance_by,
    compliance_totals,
    phenomena_frequencies,
    quality_by_day,
    study_stats,
)
from esm_bot.store.base import Store

from . import figures

__all__ = ["REPORT_NAME", "build_report", "issue_shares"]

#: File name of the report inside the output folder.
REPORT_NAME: Final = "esm_report.html"
_TOP_ISSUES: Final = 6


def _pass_marks_and_days() -> tuple[dict[int, float], int]:
    try:
        from esm_bot.domain.config import StudyConfig

        config = StudyConfig()
        return {int(k): float(v) for k, v in config.pass_marks.items()}, config.training_days
    except Exception:
        return {1: 40.0, 2: 60.0, 3: 70.0}, 3


def issue_shares(rows: Sequence[StudyRow], top: int = _TOP_ISSUES) -> dict[str, dict[int, float]]:
    """Percent of first reports per study day with each of the ``top`` most frequent issue codes."""
    scored = [
        r
        for r in rows
        if r.answered and r.attempt == 1 and r.study_day is not None and r.is_study_beep
    ]
    totals: Counter[int] = Counter(r.study_day or 0 for r in scored)
    per_code: dict[str, Counter[int]] = defaultdict(Counter)
    overall: Counter[str] = Counter()
    for row in scored:
        for code in set(row.issue_codes or ()):
            per_code[code][row.study_day or 0] += 1
            overall[code] += 1
    return {
        code: {day: 100.0 * per_code[code][day] / totals[day] for day in sorted(totals)}
        for code, _ in overall.most_common(top)
    }


def _img(png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_fmt(c))}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:60rem;margin:2rem auto;
padding:0 1rem;color:#222;line-height:1.45}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2.2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.6rem 0;font-size:.9rem}
td,th{border:1px solid #ddd;padding:.25rem .6rem;text-align:right}
th{background:#f5f5f5}td:first-child,th:first-child{text-align:left}
img{max-width:100%;height:auto}.note{color:#666;font-size:.85rem}
"""


def _summary(stats: StudyStats) -> str:
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
        ("Compliance", f"{_pct(stats.compliance)} of {stats.beeps_delivered} delivered beeps"),
        ("Average quality", stats.average_quality),
        ("Validation success rate", _pct(stats.validation_success_rate)),
        ("Training completion rate", _pct(stats.training_completion_rate)),
        ("Original MSE bot: quality about 40 → 70+ over training", claim),
    ]
    return _table(("figure", "value"), rows)


def _by_participant(rows: Sequence[StudyRow]) -> dict[str, list[StudyRow]]:
    grouped: dict[str, list[StudyRow]] = defaultdict(list)
    for row in rows:
        grouped[row.participant].append(row)
    return dict(sorted(grouped.items()))


def _per_participant(rows: Sequence[StudyRow]) -> dict[str, dict[int, float]]:
    grouped = _by_participant(rows)
    return {name: quality_by_day(group, training_only=False) for name, group in grouped.items()}


def _participant_table(rows: Sequence[StudyRow]) -> str:
    table = []
    for name, group in _by_participant(rows).items():
        samples = best_attempts(group)
        on_time, delivered = compliance_totals(group)
        scores = [r.score for r in samples if r.score is not None]
        mean = statistics.fmean(scores) if scores else None
        table.append((name, len(samples), f"{on_time}/{delivered}", mean))
    return _table(("participant", "samples", "on time/delivered", "mean best score"), table)


def _phenomena_by_participant(rows: Sequence[StudyRow]) -> str:
    """Percent of each participant's samples with each common phenomenon (individual profiles)."""
    table = []
    for name, group in _by_participant(rows).items():
        samples = best_attempts(group)
        if samples:
            shares = phenomena_frequencies(samples)
            table.append((name, len(samples), *(shares[code] for code in NORMS)))
    return _table(("participant", "samples", *(f"{c} %" for c in NORMS)), table)


def build_report(
    store: Store,
    out_dir: str | os.PathLike[str],
    *,
    environ: Mapping[str, str] | None = None,
    now: Callable[[], dt.datetime] = utc_now,
    title: str = "ESM study report",
) -> Path:
    """Write ``out_dir/esm_report.html`` for the study in ``store``; return its path.

    Participants appear as the export's pseudonyms (``ESM_EXPORT_SALT`` from ``environ``, else the
    salt kept in the store). Works on an empty study (the figures are empty, the tables say so).

    Raises:
        ImportError: matplotlib is not installed (``pip install 'esm-validate[report]'``).
    """
    env: Mapping[str, str] = os.environ if environ is None else environ
    rows = list(study_rows(store, environ=env))
    stats = study_stats(store, rows=rows)
    pass_marks, training_days = _pass_marks_and_days()
    study_days = sorted({r.study_day for r in rows if r.study_day and r.is_study_beep})
    overall = quality_by_day(rows, training_only=False)
    by_day = compliance_by(rows, "study_day")
    by_hour = compliance_by(rows, "hour")
    shares = issue_shares(rows)
    phenomena = stats.phenomena

    quality_png = figures.quality_figure(_per_participant(rows), overall, training_days, pass_marks)
    phenomena_png = figures.phenomena_figure(phenomena, NORMS)
    compliance_png = figures.compliance_figure(by_day, by_hour)
    issues_png = figures.issues_figure(shares, study_days)

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
        _table(("study day", "mean score"), [(d, v) for d, v in overall.items()]),
        _participant_table(rows),
        "<h2>Phenomena against Heavey &amp; Hurlburt (2008)</h2>",
        "<p>Percent of samples (best attempt per answered beep) with each phenomenon; a sample "
        "can show several. The norms are percent of samples of 30 students.</p>",
        _img(phenomena_png, "Phenomena frequencies"),
        _table(
            ("phenomenon", "this study %", "norm %"),
            [(c, v, NORMS.get(c)) for c, v in phenomena.items()],
        ),
        "<p>Per participant: in Heavey &amp; Hurlburt's sample every phenomenon had someone at "
        "0% and inner seeing reached 90% for one person, so wide spreads are expected.</p>",
        _phenomena_by_participant(rows),
        "<h2>Compliance by day and hour</h2>",
        "<p>Beeps answered within their window among the delivered ones (practice, cancelled, "
        "future and undeliverable beeps excluded; a late answer counts as not on time). ESM "
        "studies average about 79% (Wrzus &amp; Neubauer 2023).</p>",
        _img(compliance_png, "Compliance by day and hour"),
        _table(
            ("study day", "on time", "delivered"),
            [(d, a, n) for d, (a, n) in by_day.items()],
        ),
        _table(
            ("local hour", "on time", "delivered"),
            [(h, a, n) for h, (a, n) in by_hour.items()],
        ),
        "<h2>Issue codes over time</h2>",
        "<p>Percent of first reports per study day with each of the most frequent issue codes. "
        "A day without reports has no point (a gap in the line, a dash in the table), and the "
        "markers of codes with equal shares sit side by side.</p>",
        _img(issues_png, "Issue codes over time"),
        _table(
            ("issue code", *(f"day {d}" for d in study_days)),
            [(c, *(s.get(d) for d in study_days)) for c, s in shares.items()],
        ),
        "</body></html>",
    ]
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / REPORT_NAME
    partial = path.with_name(path.name + ".partial")
    partial.write_text("\n".join(parts), encoding="utf-8")
    os.replace(partial, path)
    return path
