"""The real ``esm-bot`` command in a subprocess: ``run`` against the fake Bot API and SIGTERM,
and ``console`` driven through standard input."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from esm_bot import i18n
from tests._services import free_port
from tests.bot_support import wait_until
from tests.fake_telegram import DEFAULT_TOKEN, FakeTelegram

pytestmark = pytest.mark.process  # every test here starts another process

IN_FLIGHT = 25
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


def test_sigterm_exits_zero_promptly(tmp_path: Path) -> None:
    """Onboard, send reports, SIGTERM: exit 0 within 10 s without sitting out the 50 s long poll,
    metrics logged, token never logged.

    That no report is lost is counted as Telegram counts it, with the default send rates, in
    tests/test_intake_faults.py: an update still waiting at the server is not safe.
    """
    with FakeTelegram(poll_cap=60.0) as fake:
        env = _env(
            tmp_path,
            TELEGRAM_BOT_TOKEN=DEFAULT_TOKEN,
            TELEGRAM_API_URL=fake.base_url,
            ESM_LONG_POLL_SECONDS="50",
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
            fake.wait_sent("sendMessage", 9, timeout=15, chat_id=42)
            fake.push_message(42, REPORT)
            fake.wait_sent("sendMessage", 10, timeout=15, chat_id=42)
            for i in range(IN_FLIGHT):
                fake.push_message(42, f"{REPORT} ({i})")
            time.sleep(0.2)
            started = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            _out, err = proc.communicate(timeout=90)
            elapsed = time.monotonic() - started
        finally:
            if proc.poll() is None:
                proc.kill()

    assert proc.returncode == 0, err[-2000:]
    assert elapsed < 10.0  # the 50 s long poll is not sat out (issue 15: within 10 s)
    assert "metrics {" in err
    assert DEFAULT_TOKEN.split(":")[1] not in err
    assert _reports(tmp_path / "bot.sqlite3") >= 1


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
    assert "The study has not started yet: your first real beeps come tomorrow" in out
    assert "Traceback" not in proc.stderr
    assert _reports(db) == 1


def _post(port: int, body: bytes, secret: str | None) -> int:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/", data=body, method="POST")
    if secret is not None:
        request.add_header("X-Telegram-Bot-Api-Secret-Token", secret)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except OSError:
        return 0


def test_webhook_mode_checks_the_secret(tmp_path: Path) -> None:
    """`esm-bot run --webhook`: registers the webhook with its secret, refuses requests without
    it (403), handles those with it, and stops cleanly on SIGTERM."""
    port = free_port()
    secret = "hook-SECRET-123"
    with FakeTelegram() as fake:
        env = _env(
            tmp_path,
            TELEGRAM_BOT_TOKEN=DEFAULT_TOKEN,
            TELEGRAM_API_URL=fake.base_url,
            ESM_WEBHOOK_URL=f"https://bot.example.org/{port}",
            ESM_WEBHOOK_SECRET=secret,
            ESM_WEBHOOK_HOST="127.0.0.1",
            ESM_WEBHOOK_PORT=str(port),
        )
        proc = subprocess.Popen(
            [sys.executable, "-m", "esm_bot", "run", "--webhook"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            update = {"update_id": 5, "message": fake.make_message(42, "/help")}
            body = json.dumps(update).encode()
            wait_until(lambda: _post(port, b"{}", "wrong") == 403, timeout=30)

            assert _post(port, body, None) == 403
            assert fake.sent_calls("sendMessage") == []
            assert _post(port, body, secret) == 200
            fake.wait_sent("sendMessage", 1, chat_id=42)
            assert fake.webhook.get("secret_token") == secret
            proc.send_signal(signal.SIGTERM)
            _out, err = proc.communicate(timeout=10)
        finally:
            if proc.poll() is None:
                proc.kill()

    assert proc.returncode == 0, err[-2000:]
    assert secret not in err
    assert DEFAULT_TOKEN.split(":")[1] not in err


def test_webhook_without_secret_refuses_to_start(tmp_path: Path) -> None:
    """--webhook with no ESM_WEBHOOK_SECRET: one line, exit 2."""
    proc = subprocess.run(
        [sys.executable, "-m", "esm_bot", "run", "--webhook"],
        env=_env(tmp_path, TELEGRAM_BOT_TOKEN=DEFAULT_TOKEN),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert proc.returncode == 2
    assert "ESM_WEBHOOK_SECRET" in proc.stderr
    assert "Traceback" not in proc.stderr
