"""``esm-bot report``: a self-contained HTML report of a simulated study (real store and scores)."""

from __future__ import annotations

import base64
import re
import struct
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

from esm_bot.ops.export import study_rows
from esm_bot.ops.report import REPORT_NAME, build_report, dodge, issue_series, issue_shares
from esm_bot.ops.stats import (
    NORMS,
    best_attempts,
    phenomena_frequencies,
    quality_by_day,
    study_stats,
)
from esm_bot.store.sqlite import SqliteStore
from tests._ops_cli import run_esm_bot
from tests._ops_study import SimulatedStudy, simulate_study

pytestmark = pytest.mark.slow  # matplotlib draws every figure

pytest.importorskip("matplotlib")

ROOT = Path(__file__).resolve().parent.parent
IMG = re.compile(r'<img alt="([^"]+)" src="data:image/png;base64,([A-Za-z0-9+/=]+)">')


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    s = SqliteStore(tmp_path / "report.sqlite3")
    yield s
    s.close()


@attrs.frozen
class Built:
    """A simulated study and the report built from it once for the module's tests."""

    store: SqliteStore
    study: SimulatedStudy
    path: Path

    @property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    folder = tmp_path_factory.mktemp("report")
    s = SqliteStore(folder / "report.sqlite3")
    sim = simulate_study(s, participants=4, days=4)
    yield Built(s, sim, build_report(s, folder / "out", environ={}))
    s.close()


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_report_is_self_contained_html_with_four_figures(built: Built) -> None:
    """One HTML file, four embedded PNGs, nothing loaded from elsewhere."""
    path = built.path

    assert path.name == REPORT_NAME
    text = built.text
    images = IMG.findall(text)
    assert [alt for alt, _ in images] == [
        "Quality by study day",
        "Phenomena frequencies",
        "Compliance by day and hour",
        "Issue codes over time",
    ]
    for _, data in images:
        width, height = _png_size(base64.b64decode(data))
        assert width > 400
        assert height > 200
    assert "http://" not in text
    assert "https://" not in text
    assert "<script" not in text
    assert sorted(p.name for p in path.parent.iterdir()) == [REPORT_NAME]


def test_report_names_pseudonyms_only(built: Built) -> None:
    """No Telegram id or internal id appears; the export's pseudonyms do."""
    text = built.text
    names = {r.participant for r in study_rows(built.store, environ={})}

    for telegram_id in built.study.telegram_ids:
        assert str(telegram_id) not in text
    for participant_id in built.study.participant_ids:
        assert participant_id not in text
    assert all(name in text for name in names)


def test_report_tables_hold_the_measured_figures(built: Built) -> None:
    """Mean score per day, compliance and the original MSE bot's claim are measured figures."""
    text = built.text
    rows = list(study_rows(built.store, environ={}))
    stats = study_stats(built.store, rows=rows)

    for day, mean in quality_by_day(rows, training_only=False).items():
        assert f"<tr><td>{day}</td><td>{mean:.1f}</td></tr>" in text
    assert f"{100 * stats.compliance:.1f}% of {stats.beeps_delivered} delivered beeps" in text
    day = stats.quality_by_training_day
    assert f"measured {day[1]:.0f} on day 1 → {day[3]:.0f} on day 3" in text
    for code, value in stats.phenomena.items():
        assert f"<td>{code}</td><td>{value:.1f}</td>" in text


def test_report_has_each_participants_phenomena(built: Built) -> None:
    """A row per participant with the percent of their own samples showing each phenomenon."""
    rows = list(study_rows(built.store, environ={}))
    text = built.text

    for name in {r.participant for r in rows}:
        samples = best_attempts([r for r in rows if r.participant == name])
        shares = phenomena_frequencies(samples)
        cells = "".join(f"<td>{shares[c]:.1f}</td>" for c in NORMS)
        assert f"<tr><td>{name}</td><td>{len(samples)}</td>{cells}</tr>" in text


def test_empty_study_still_gives_a_report(store: SqliteStore, tmp_path: Path) -> None:
    """A study with no data yet gives a report that says so, not an error."""
    text = build_report(store, tmp_path, environ={}).read_text(encoding="utf-8")

    assert "not measurable yet" in text
    assert len(IMG.findall(text)) == 4


def test_issue_shares_are_percent_of_reports_per_day(store: SqliteStore) -> None:
    """issue_shares counts each first report once per code, as a percent of the day's reports."""
    simulate_study(store, participants=2, days=2)
    everything = list(study_rows(store, environ={}))
    rows = [r for r in everything if r.answered and r.study_day and r.attempt == 1]

    shares = issue_shares(everything, top=3)

    assert len(shares) <= 3
    for code, by_day in shares.items():
        for day, share in by_day.items():
            day_rows = [r for r in rows if r.study_day == day]
            expected = (
                100 * sum(1 for r in day_rows if code in (r.issue_codes or ())) / len(day_rows)
            )
            assert share == pytest.approx(expected)


def test_issue_shares_order_commonest_first_then_by_code(store: SqliteStore) -> None:
    """Codes equally common come in code order, so the report is the same on every run (the
    order of a set of codes depends on the hash seed)."""
    simulate_study(store, participants=3, days=3)
    everything = list(study_rows(store, environ={}))
    firsts = [r for r in everything if r.answered and r.study_day and r.attempt == 1]
    counts = Counter(code for r in firsts for code in set(r.issue_codes or ()))

    for rows in (everything, everything[::-1]):
        shares = issue_shares(rows, top=len(counts))
        assert list(shares) == sorted(counts, key=lambda code: (-counts[code], code))


def test_report_on_mongodb(mongo_uri: str, mongo_db_name: str, tmp_path: Path) -> None:
    """The same report from the MongoDB store."""
    from esm_bot.store.mongo import MongoStore

    store = MongoStore(mongo_uri, mongo_db_name)
    try:
        simulate_study(store, participants=2, days=3, beeps_per_day=3)
        text = build_report(store, tmp_path, environ={}).read_text(encoding="utf-8")
    finally:
        store.close()

    assert len(IMG.findall(text)) == 4
    assert "measured" in text


@pytest.mark.process
def test_command_writes_the_report(tmp_path: Path) -> None:
    """`esm-bot report --out DIR` writes DIR/esm_report.html and says where."""
    db = tmp_path / "cmd.sqlite3"
    s = SqliteStore(db)
    simulate_study(s, participants=2, days=2)
    s.close()

    done = run_esm_bot(
        ["report", "--out", str(tmp_path / "rep")], {"ESM_DB_PATH": str(db)}, timeout=120
    )

    assert done.returncode == 0, done.stderr
    assert (tmp_path / "rep" / REPORT_NAME).is_file()
    assert str(tmp_path / "rep" / REPORT_NAME) in done.stdout


def test_issue_lines_have_gaps_and_side_by_side_markers() -> None:
    """A day without reports is NaN (matplotlib leaves a gap); equal shares do not overlap."""
    values = issue_series({1: 50.0, 3: 50.0}, [1, 2, 3])
    offsets = dodge(3)

    assert values[0] == values[2] == 50.0
    assert values[1] != values[1], "NaN: no point, a gap"
    assert len(set(offsets)) == 3
    assert max(offsets) - min(offsets) < 1, "each code stays beside its own day"
    assert dodge(1) == [0.0]
