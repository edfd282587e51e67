"""The real ``esm-bot`` command in a subprocess: ``run`` against the fake Bot API and SIGTERM,
and ``console`` driven through standard input."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from esm_bot import i18n
from tests.bot_support import wait_until
from tests.fake_telegram import DEFAULT_TOKEN, FakeTelegram

REPORT = "At the beep I was innerly saying 'where are my keys' in my own voice, a bit annoyed."


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ESM_", "OPENAI", "ANTHROPIC", "MONGODB", "TELEGRAM", "REDIS"))
    }
    env.update(
        ESM_DB_PATH=str(tmp_path / "bot.sqlite3"),
        ESM_JOURNAL_PATH=str(tmp_path / "journal.jsonl"),
        PYTHONUNBUFFERED="1",
        **extra,
    )
    return env


def _reports(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("select count(*) from reports").fetchone()[0])


def test_sigterm_exits_zero_within_five_seconds_and_loses_nothing(tmp_path: Path) -> None:
    """Onboard, send reports, SIGTERM: exit 0 in < 5 s, metrics logged, each report stored or
    still unconfirmed at the server (Telegram would deliver it again), token never logged."""
    with FakeTelegram(poll_cap=30.0) as fake:
        env = _env(
            tmp_path,
            TELEGRAM_BOT_TOKEN=DEFAULT_TOKEN,
            TELEGRAM_API_URL=fake.base_url,
            ESM_LONG_POLL_SECONDS="25",
            ESM_SEND_RATE_PER_CHAT="100",
            ESM_TICK_SECONDS="0.5",
        )
        proc = subprocess.Popen(
            [sys.executable, "-m", "esm_bot", "run"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            wait_until(lambda: any(c[0] == "getUpdates" for c in fake.calls), timeout=30)
            fake.push_message(42, "/start")
            fake.wait_sent("sendMessage", 2, timeout=15, chat_id=42)
            for step, count in (("lang:en", 3), ("consent:yes", 4), ("tz:Europe/Berlin", 5)):
                fake.push_callback(42, None, step)
                fake.wait_sent("sendMessage", count, timeout=15, chat_id=42)
            fake.push_callback(42, None, "win:09:00-21:00")
            fake.wait_sent("sendMessage", 6, timeout=15, chat_id=42)
            fake.push_callback(42, None, "beeps:6")
            fake.wait_sent("sendMessage", 8, timeout=15, chat_id=42)
            fake.push_message(42, REPORT)
            fake.wait_sent("sendMessage", 9, timeout=15, chat_id=42)
            for i in range(3):
                fake.push_message(42, f"{REPORT} ({i})")
            time.sleep(0.3)
            started = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            _out, err = proc.communicate(timeout=10)
            elapsed = time.monotonic() - started
        finally:
            if proc.poll() is None:
                proc.kill()
        pending = fake.pending_updates()

    assert proc.returncode == 0, err[-2000:]
    assert elapsed < 5.0
    assert "metrics {" in err
    assert DEFAULT_TOKEN.split(":")[1] not in err
    assert _reports(tmp_path / "bot.sqlite3") + pending >= 4


def test_console_is_scriptable(tmp_path: Path) -> None:
    """The offline console runs the same conversation from stdin, with a practice beep at once."""
    script = "\n".join(
        [
            "/start",
            "1",  # English
            "1",  # I agree
            "Europe/Berlin",
            "2",  # 09:00-21:00
            "2",  # 6 beeps
            REPORT,
            "/status",
            "/quit",
        ]
    )
    db = tmp_path / "console.sqlite3"
    proc = subprocess.run(
        [sys.executable, "-m", "esm_bot", "console", "--db", str(db), "--lang", "en", "--quiet"],
        input=script + "\n",
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert proc.returncode == 0, proc.stderr[-2000:]
    out = proc.stdout
    assert i18n.render("consent", "en", version="1").splitlines()[0] in out
    assert i18n.render("beep_practice", "en") in out
    assert "Practice score" in out
    assert "Status: training." in out
    assert "Traceback" not in proc.stderr
    assert _reports(db) == 1
