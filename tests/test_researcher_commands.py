"""The researcher's commands as a person types them: real ``python -m esm_bot`` / ``esm-validate``.

``esm-bot stats`` and ``report`` count consented, not deleted participants and say what each
number means; the report leaves days without data as gaps; reading commands say where the data
is and never create an empty database; ``report`` without matplotlib names the extra to install;
``| head`` ends every command quietly; the console leaves no journal lock behind;
``esm-validate --column`` fills the table's text column and a binary file gets a useful message.
"""

from __future__ import annotations

import datetime as dt
import html
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from esm_bot.cli import REPORT_NEEDS
from esm_bot.domain.models import Participant, ParticipantStatus, new_id
from esm_bot.store.sqlite import SqliteStore
from tests._ops_cli import ROOT, clean_env, run_esm_bot
from tests._ops_study import SimulatedStudy, simulate_study

pytestmark = pytest.mark.process

CONSOLE_SCRIPT = (
    "/start\n1\n1\nEurope/Berlin\n2\n2\nI said to myself «go», in my own voice.\n/quit\n"
)


@pytest.fixture(scope="module")
def study_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SimulatedStudy]:
    """4 consented participants, one registration that never consented, one deleted."""
    path = tmp_path_factory.mktemp("study") / "study.sqlite3"
    store = SqliteStore(path)
    sim = simulate_study(store, participants=4, days=4)
    created = dt.datetime(2026, 5, 3, 12, 0, tzinfo=dt.UTC)
    store.add_participant(Participant(id=new_id(), created_at=created, telegram_id=77))
    gone = store.add_participant(
        Participant(
            id=new_id(), created_at=created, telegram_id=78, status=ParticipantStatus.TRAINING
        )
    )
    store.delete_participant_data(gone.id)
    store.close()
    return path, sim


def _closed_early(args: list[str], env: dict[str, str], stdin: str = "") -> tuple[str, str, int]:
    """Run ``args``, read one line of its output, close the pipe (as ``| head -1`` does)."""
    proc = subprocess.Popen(
        args,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=env.get("HOME", ROOT),
        text=True,
    )
    assert proc.stdin is not None
    assert proc.stdout is not None
    assert proc.stderr is not None
    proc.stdin.write(stdin)
    proc.stdin.close()
    first = proc.stdout.readline()
    proc.stdout.close()
    stderr = proc.stderr.read()
    return first, stderr, proc.wait(timeout=60)


# -- item 7: what the numbers mean, who counts ---------------------------------------------------


def test_stats_says_what_each_number_means_and_counts_only_consented_participants(
    study_db: tuple[Path, SimulatedStudy],
) -> None:
    """Participants: 4 of 6 registrations; every count of reports explained on its own line."""
    path, sim = study_db
    proc = run_esm_bot(["stats"], {"ESM_DB_PATH": str(path)})

    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert out.startswith(f"Study data: SQLite database {path.resolve()}\n")
    assert "Participants: 4 (consented, not deleted; 6 registrations: deleted 1, " in out
    assert "registered 1" in out
    reports = sim.reports - sim.messages_without_beep
    assert f"Reports: {reports} (every text that answered a beep, retries, practice and " in out
    assert re.search(r"Answered study beeps: \d+ \(each beep once, its best attempt", out)
    assert re.search(r"Training retries: \d+; practice reports: \d+; pilot reports: 0", out)
    assert f"Messages without a beep: {sim.messages_without_beep} (written while no beep" in out


def test_report_counts_participants_and_leaves_days_without_data_blank(
    study_db: tuple[Path, SimulatedStudy], tmp_path: Path
) -> None:
    """The summary counts 4 participants; day 5 (beeps planned, none answered) is a dash, not 0."""
    pytest.importorskip("matplotlib")
    path, _sim = study_db
    proc = run_esm_bot(["report", "--out", str(tmp_path)], {"ESM_DB_PATH": str(path)})

    assert proc.returncode == 0, proc.stderr
    assert f"(from the SQLite database {path.resolve()})" in proc.stdout
    text = html.unescape((tmp_path / "esm_report.html").read_text(encoding="utf-8"))
    assert "<td>Participants (consented, not deleted)</td><td>4</td>" in text
    assert "<td>Registrations (every /start, deleted ones included)</td><td>6</td>" in text
    issues = text[text.index("<h2>Issue codes over time</h2>") :]
    table = issues[issues.index("<table>") : issues.index("</table>")]
    assert "<th>day 5</th>" in table
    rows = re.findall(r"<tr>(.*?)</tr>", table)[1:]
    assert rows, "the most frequent issue codes are listed"
    for row in rows:
        assert row.endswith("<td>–</td>"), row


# -- item 9: commands that used to break ----------------------------------------------------------


def test_report_without_matplotlib_says_what_to_install(
    study_db: tuple[Path, SimulatedStudy], tmp_path: Path
) -> None:
    """One line naming the 'report' extra, exit 2, no traceback (matplotlib made unimportable)."""
    blocker = tmp_path / "blocker" / "matplotlib"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text("raise ImportError(\"No module named 'matplotlib'\")\n")
    env = clean_env(ESM_DB_PATH=str(study_db[0]))
    env["PYTHONPATH"] = os.pathsep.join([str(blocker.parent), env.get("PYTHONPATH", "")])
    proc = run_esm_bot(["report", "--out", str(tmp_path / "out")], env=env)

    assert proc.returncode == 2
    assert proc.stderr == f"esm-bot report: error: {REPORT_NEEDS}\n"
    assert "[report]" in proc.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", ["stats", "report", "export", "health"])
def test_reading_commands_never_create_a_database(command: str, tmp_path: Path) -> None:
    """No file where ESM_DB_PATH points: one line with the absolute path; nothing created."""
    missing = tmp_path / "nothing_here.sqlite3"
    proc = run_esm_bot([command], {"ESM_DB_PATH": str(missing)})

    assert proc.returncode == 2
    assert f"no study database at {missing}" in proc.stderr + proc.stdout
    assert "Traceback" not in proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_export_into_a_closed_pipe_is_quiet(study_db: tuple[Path, SimulatedStudy]) -> None:
    """`esm-bot export | head -1`: the header line, then a quiet exit 0."""
    env = clean_env(ESM_DB_PATH=str(study_db[0]))
    first, stderr, code = _closed_early([sys.executable, "-m", "esm_bot", "export"], env)

    assert first.startswith("participant,study_day,")
    assert (stderr, code) == ("", 0)


def test_console_into_a_closed_pipe_is_quiet_and_leaves_no_files_but_its_database(
    tmp_path: Path,
) -> None:
    """`esm-bot console | head -1`: no traceback, exit 0; only esm_console.sqlite3 is left."""
    env = clean_env(HOME=str(tmp_path))
    args = [sys.executable, "-m", "esm_bot", "console", "--lang", "en", "--quiet"]
    first, stderr, code = _closed_early(args, env, stdin=CONSOLE_SCRIPT)

    assert first.startswith("esm-bot console:")
    assert (stderr, code) == ("", 0)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["esm_console.sqlite3"]


def test_console_says_where_its_data_is_and_stats_reads_it(tmp_path: Path) -> None:
    """The goodbye names the file and the command; that command finds the conversation."""
    env = clean_env(HOME=str(tmp_path))
    proc = subprocess.run(
        [sys.executable, "-m", "esm_bot", "console", "--lang", "en", "--quiet"],
        input=CONSOLE_SCRIPT,
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )

    assert proc.returncode == 0, proc.stderr
    db = tmp_path / "esm_console.sqlite3"
    assert f"To look at them: ESM_DB_PATH={db} esm-bot stats" in proc.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["esm_console.sqlite3"]
    stats = run_esm_bot(["stats"], {"ESM_DB_PATH": str(db)})
    assert stats.returncode == 0, stats.stderr
    assert "Participants: 1 (consented, not deleted; 1 registration:" in stats.stdout
    assert "practice reports: 1" in stats.stdout


def _esm_validate(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "esm_validate.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=clean_env(COLUMNS="120"),
        timeout=60,
        check=False,
    )


def test_validate_column_fills_the_table_text(tmp_path: Path) -> None:
    """`--column answer`: the table shows each report's text, not a blank column."""
    (tmp_path / "answers.csv").write_text(
        "id,Answer\n1,Я сказал себе: «опять»\n2,I was thinking about work\n", encoding="utf-8"
    )
    proc = _esm_validate("answers.csv", "--column", "answer", cwd=tmp_path)

    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[1].endswith("Я сказал себе: «опять»")
    assert lines[2].endswith("I was thinking about work")


@pytest.mark.parametrize("name", ["data.txt", "data.csv", "data.jsonl"])
def test_validate_refuses_a_binary_file_without_suggesting_an_encoding(
    name: str, tmp_path: Path
) -> None:
    """A spreadsheet saved as .xlsx and renamed: say it is not text and what to give instead."""
    (tmp_path / name).write_bytes(b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)) * 4)
    proc = _esm_validate(name, cwd=tmp_path)

    assert proc.returncode == 2
    assert proc.stderr.startswith(f"esm-validate: error: {name}: not a text file (it looks like ")
    assert "CSV UTF-8" in proc.stderr
    assert "--encoding" not in proc.stderr


def test_validate_into_a_closed_pipe_exits_zero(tmp_path: Path) -> None:
    """`esm-validate reports.txt | head -1`: quiet, exit 0."""
    (tmp_path / "many.txt").write_text(
        "".join(f"I said to myself 'go' ({i})\n" for i in range(3000)), encoding="utf-8"
    )
    env = clean_env(HOME=str(tmp_path))
    first, stderr, code = _closed_early(
        [sys.executable, "-m", "esm_validate.cli", "many.txt", "--format", "jsonl"], env
    )

    assert first.startswith("{")
    assert (stderr, code) == ("", 0)
