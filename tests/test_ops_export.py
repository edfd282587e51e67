"""``esm-bot export``: long format, pseudonyms, codebook, --since, files, the real command."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from esm_bot.domain.models import BeepStatus
from esm_bot.ops.export import (
    SALT_META_KEY,
    build_codebook,
    columns,
    export_study,
    export_to_file,
    parse_since,
    pseudonym,
    render_codebook,
)
from esm_bot.store.sqlite import SqliteStore
from esm_validate import ISSUE_CODES, PHENOMENA, QUALITY_LEVELS
from tests._ops_cli import run_esm_bot
from tests._ops_study import SimulatedStudy, simulate_study

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    s = SqliteStore(tmp_path / "study.sqlite3")
    yield s
    s.close()


@pytest.fixture
def study(store: SqliteStore) -> SimulatedStudy:
    return simulate_study(store)


def _csv(store: Any, **kwargs: Any) -> list[dict[str, str]]:
    out = io.StringIO()
    export_study(store, out, format="csv", environ={}, **kwargs)
    out.seek(0)
    return list(csv.DictReader(out))


def _expected_rows(store: Any) -> int:
    """One row per beep and report attempt (at least one per beep), plus practice reports."""
    total = 0
    for person in store.list_participants():
        for beep in store.beeps_for(person.id):
            total += max(1, len(store.reports_for(person.id, beep_id=beep.id)))
        total += sum(1 for r in store.reports_for(person.id) if r.beep_id is None)
    return total


def test_empty_study_gives_just_the_header(store: SqliteStore) -> None:
    """An empty study exports the CSV header and nothing else; JSON lines export nothing."""
    out = io.StringIO()

    rows = export_study(store, out, format="csv", environ={})

    assert rows == 0
    assert ",".join(columns()) + "\n" == out.getvalue()
    out = io.StringIO()
    assert export_study(store, out, format="jsonl", environ={}) == 0
    assert out.getvalue() == ""


def test_one_row_per_beep_and_attempt_missed_ones_included(
    store: SqliteStore, study: SimulatedStudy
) -> None:
    """Every scheduled beep is a row (expired and future ones too); retries add a row each."""
    rows = _csv(store)

    assert _expected_rows(store) == len(rows)
    statuses = {r["beep_status"] for r in rows}
    assert {"answered", "expired", "scheduled", "practice", "no_beep"} <= statuses
    expired = [r for r in rows if r["beep_status"] == BeepStatus.EXPIRED.value]
    assert expired
    assert all(r["report_text"] == "" and r["score"] == "" for r in expired)
    retries = [r for r in rows if r["attempt"] == "2"]
    assert retries, "the simulation offers retries on training days"
    for retry in retries:
        first = [
            r
            for r in rows
            if r["participant"] == retry["participant"]
            and r["local_date"] == retry["local_date"]
            and r["beep_index"] == retry["beep_index"]
            and r["attempt"] == "1"
        ]
        assert len(first) == 1


def test_report_fields_match_the_store(store: SqliteStore, study: SimulatedStudy) -> None:
    """Text, score, quality, phenomena, issue codes and validator fields come from the report."""
    rows = _csv(store, raw_ids=True)
    by_text_time = {(r["report_text"], r["received_utc"]): r for r in rows if r["report_text"]}

    checked = 0
    for report in store.iter_reports():
        row = by_text_time[(report.text, report.received_at.isoformat())]
        assert ("" if report.score is None else str(report.score)) == row["score"]
        assert (report.quality or "") == row["quality"]
        assert ";".join(sorted(report.phenomena)) == row["phenomena"]
        assert ";".join(report.issue_codes) == row["issue_codes"]
        assert report.source == row["validator_source"]
        assert (report.validator_version or "") == row["validator_version"]
        assert report.participant_id == row["participant"]
        assert len(report.text) == int(row["n_chars"])
        checked += 1
    assert study.reports == checked


def test_times_are_local_and_utc(store: SqliteStore, study: SimulatedStudy) -> None:
    """scheduled_local carries the participant's offset (+05:45 in Kathmandu), UTC is +00:00."""
    rows = [r for r in _csv(store) if r["beep_status"] != "no_beep"]

    kathmandu = [r for r in rows if r["timezone"] == "Asia/Kathmandu"]
    assert kathmandu
    assert all(r["scheduled_local"].endswith("+05:45") for r in kathmandu)
    assert all(r["scheduled_utc"].endswith("+00:00") for r in rows)
    answered = [r for r in rows if r["latency_s"]]
    assert all(float(r["latency_s"]) > 0 for r in answered)


def test_fixed_offset_zone_is_kept_in_local_times(store: SqliteStore) -> None:
    """A participant who gave an offset (``UTC+05:30``) gets local times at that offset."""
    simulate_study(store, participants=1, days=1, zones=("UTC+05:30",))

    rows = [r for r in _csv(store) if r["beep_status"] != "no_beep"]

    assert rows
    assert all(r["scheduled_local"].endswith("+05:30") for r in rows)


def test_telegram_ids_are_pseudonymised_by_default(
    store: SqliteStore, study: SimulatedStudy
) -> None:
    """No Telegram id or internal id appears; pseudonyms are stable and salt-dependent."""
    out = io.StringIO()
    export_study(store, out, environ={})
    text = out.getvalue()

    for telegram_id in study.telegram_ids:
        assert str(telegram_id) not in text
    for participant_id in study.participant_ids:
        assert participant_id not in text
    assert "telegram_id" not in text.splitlines()[0]
    names = {r["participant"] for r in _csv(store)}
    assert len(study.participant_ids) == len(names)
    assert all(n.startswith("p_") and len(n) == 14 for n in names)
    salt = store.get_meta(SALT_META_KEY)
    assert isinstance(salt, str)
    assert len(salt) >= 32
    assert names == {r["participant"] for r in _csv(store)}
    assert {pseudonym(pid, salt) for pid in study.participant_ids} == names
    other = {r["participant"] for r in _csv(store, salt="another salt")}
    assert not other & names


def test_salt_from_the_environment_wins(store: SqliteStore, study: SimulatedStudy) -> None:
    """ESM_EXPORT_SALT decides the pseudonyms, so two stores of one study can agree."""
    out = io.StringIO()
    export_study(store, out, environ={"ESM_EXPORT_SALT": "lab-salt-2026"})
    out.seek(0)
    names = {r["participant"] for r in csv.DictReader(out)}

    assert {pseudonym(pid, "lab-salt-2026") for pid in study.participant_ids} == names


def test_raw_ids_keep_telegram_ids(store: SqliteStore, study: SimulatedStudy) -> None:
    """--raw-ids gives the internal id and the Telegram id."""
    rows = _csv(store, raw_ids=True)

    assert "telegram_id" in rows[0]
    assert set(study.participant_ids) == {r["participant"] for r in rows}
    assert {str(t) for t in study.telegram_ids} == {r["telegram_id"] for r in rows}


def test_since_keeps_later_beeps_only(store: SqliteStore, study: SimulatedStudy) -> None:
    """--since 2026-05-06 drops every beep scheduled before that UTC midnight."""
    since = parse_since("2026-05-06")
    rows = [r for r in _csv(store, since=since) if r["beep_status"] != "no_beep"]
    everything = [r for r in _csv(store) if r["beep_status"] != "no_beep"]

    assert rows
    assert len(rows) < len(everything)
    assert all(r["scheduled_utc"] >= "2026-05-06T00:00:00+00:00" for r in rows)
    later = [r for r in everything if r["scheduled_utc"] >= "2026-05-06T00:00:00+00:00"]
    assert len(later) == len(rows)


def test_since_rejects_garbage() -> None:
    """A wrong --since value gives a message that says what is expected."""
    with pytest.raises(ValueError, match="2026-05-01"):
        parse_since("last tuesday")


def test_jsonl_has_lists_and_nulls(store: SqliteStore, study: SimulatedStudy) -> None:
    """JSON lines: one object per row, the same keys, lists for codes, null for empty fields."""
    out = io.StringIO()
    count = export_study(store, out, format="jsonl", environ={})
    records = [json.loads(line) for line in out.getvalue().splitlines()]

    assert count == len(records) == _expected_rows(store)
    assert all(list(columns()) == list(r) for r in records)
    answered = [r for r in records if r["report_text"] is not None]
    assert all(isinstance(r["phenomena"], list) for r in answered)
    expired = [r for r in records if r["beep_status"] == "expired"]
    assert all(r["score"] is None and r["attempt"] is None for r in expired)


def test_unknown_format_is_refused(store: SqliteStore) -> None:
    """A format other than csv or jsonl is a ValueError naming the choices."""
    with pytest.raises(ValueError, match="csv, jsonl"):
        export_study(store, io.StringIO(), format="xlsx", environ={})


@pytest.mark.parametrize(("fmt", "suffix"), [("csv", ".codebook.md"), ("jsonl", ".codebook.json")])
def test_file_export_writes_the_codebook_beside_it(
    store: SqliteStore, study: SimulatedStudy, tmp_path: Path, fmt: str, suffix: str
) -> None:
    """--out FILE writes FILE and FILE.codebook.*, and leaves no temporary file behind."""
    target = tmp_path / "out" / f"study.{fmt}"

    count, book = export_to_file(store, target, format=fmt, environ={})

    assert _expected_rows(store) == count
    assert book.name == f"study.{fmt}{suffix}"
    assert sorted(p.name for p in target.parent.iterdir()) == sorted([target.name, book.name])
    if fmt == "jsonl":
        assert "issue_codes" in json.loads(book.read_text(encoding="utf-8"))
    else:
        assert book.read_text(encoding="utf-8").startswith("# Codebook")


def test_codebook_explains_every_column_and_code() -> None:
    """Every column, issue code, phenomenon, quality label and beep status has a meaning."""
    book = build_codebook(raw_ids=True)
    text = render_codebook(book)

    assert list(columns(raw_ids=True)) == [c["name"] for c in book["columns"]]
    for code in (*ISSUE_CODES, *PHENOMENA, *(label for label, _ in QUALITY_LEVELS)):
        assert f"`{code}`" in text
    for status in BeepStatus:
        assert f"`{status.value}`" in text
    assert all(book["issue_codes"].values())
    assert all(book["phenomena"].values())
    assert "telegram_id" not in [c["name"] for c in build_codebook()["columns"]]


# the real command


def _run(args: list[str], env_extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return run_esm_bot(args, env_extra)


@pytest.fixture
def study_db(tmp_path: Path) -> tuple[Path, SimulatedStudy]:
    path = tmp_path / "cli.sqlite3"
    s = SqliteStore(path)
    try:
        sim = simulate_study(s, participants=2, days=2)
    finally:
        s.close()
    return path, sim


@pytest.mark.process
def test_command_exports_csv_to_stdout(study_db: tuple[Path, SimulatedStudy]) -> None:
    """`esm-bot export --format csv` prints the pseudonymised study on standard output."""
    path, sim = study_db

    done = _run(["export", "--format", "csv"], {"ESM_DB_PATH": str(path)})

    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert sim.beeps + sim.practice_reports <= len(rows)
    assert not any(str(t) in done.stdout for t in sim.telegram_ids)


@pytest.mark.process
def test_command_writes_file_and_codebook(
    study_db: tuple[Path, SimulatedStudy], tmp_path: Path
) -> None:
    """`--out FILE` writes the file and the codebook; `--codebook` prints it too."""
    path, _ = study_db
    out = tmp_path / "export.jsonl"

    done = _run(
        ["export", "--format", "jsonl", "--out", str(out), "--codebook"],
        {"ESM_DB_PATH": str(path)},
    )

    assert done.returncode == 0, done.stderr
    assert out.read_text(encoding="utf-8").count("\n") >= 1
    assert (tmp_path / "export.jsonl.codebook.json").is_file()
    assert '"issue_codes"' in done.stdout


@pytest.mark.process
def test_command_prints_only_the_codebook() -> None:
    """`esm-bot export --codebook` without --out prints the Markdown codebook."""
    done = _run(["export", "--codebook"], {"ESM_DB_PATH": "/nonexistent/never-opened.sqlite3"})

    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("# Codebook")


@pytest.mark.process
def test_command_bad_since_is_one_line(study_db: tuple[Path, SimulatedStudy]) -> None:
    """A bad --since ends with one error line and exit 2, no traceback."""
    path, _ = study_db

    done = _run(["export", "--since", "yesterday"], {"ESM_DB_PATH": str(path)})

    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert "--since" in done.stderr


@pytest.mark.process
def test_command_empty_study_prints_the_header(tmp_path: Path) -> None:
    """`esm-bot export` on a new, empty study prints only the CSV header."""
    SqliteStore(tmp_path / "empty.sqlite3").close()  # the bot created it, nothing happened yet
    done = _run(["export"], {"ESM_DB_PATH": str(tmp_path / "empty.sqlite3")})

    assert done.returncode == 0, done.stderr
    assert done.stdout == ",".join(columns()) + "\n"


def test_export_from_mongodb(mongo_uri: str, mongo_db_name: str) -> None:
    """The same export from the MongoDB store: every beep and attempt, pseudonymised."""
    from esm_bot.store.mongo import MongoStore

    store = MongoStore(mongo_uri, mongo_db_name)
    try:
        sim = simulate_study(store, participants=2, days=2, beeps_per_day=3)
        rows = _csv(store)
        expected = _expected_rows(store)
        salt = store.get_meta(SALT_META_KEY)
    finally:
        store.close()

    assert len(rows) == expected
    assert {r["participant"] for r in rows} == {pseudonym(p, salt) for p in sim.participant_ids}
    assert {"answered", "scheduled", "practice", "no_beep"} <= {r["beep_status"] for r in rows}


@pytest.mark.process
def test_command_unwritable_output_is_one_line(
    study_db: tuple[Path, SimulatedStudy], tmp_path: Path
) -> None:
    """An --out that cannot be written ends in one error line and exit 2, not a traceback."""
    path, _ = study_db
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")

    done = _run(["export", "--out", str(blocker / "study.csv")], {"ESM_DB_PATH": str(path)})

    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert str(blocker) in done.stderr
