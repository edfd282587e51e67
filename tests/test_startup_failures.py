"""Every way ``esm-bot run`` can fail to start, as a real process: one line, an exit code, no
secret anywhere in what it printed (issue 17).

Each test starts ``python -m esm_bot run`` (polling or ``--webhook``) with secrets in its
environment (the bot token, a webhook secret, an API key, a database password), lets it fail
against the loopback Bot API (tests/fake_telegram.py), a closed port, the MongoDB-wire server or a
broken path, and greps stdout and stderr for every secret and its distinctive fragments.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

from tests._ops_cli import ROOT, clean_env
from tests._services import free_port
from tests.fake_telegram import FakeTelegram

pytestmark = [pytest.mark.integration, pytest.mark.process]

TOKEN = "987654:SECRETbotHALF0123456789abcdefXYZ"
TOKEN_HALF = TOKEN.split(":", 1)[1]
WEBHOOK_SECRET = "whsecSECRET0042"
API_KEY = "sk-test-SECRETapiKEY777"
DB_PASSWORD = "SECRETdbPW55"
SECRETS = (TOKEN, TOKEN_HALF, WEBHOOK_SECRET, API_KEY, DB_PASSWORD, "SECRETbot", "SECRETapi",
           "SECRETdb", "whsecSECRET")  # fmt: skip


# The exit codes documented in docs/operations.md (troubleshooting); a contract with supervisors.
CONFIGURATION = 2
TOKEN_REJECTED = 3
TELEGRAM_UNREACHABLE = 4
WEBHOOK_REFUSED = 5
DATABASE_UNREACHABLE = 6
DATABASE_REFUSED = 7
PORT_IN_USE = 8
MISSING_EXTRA = 9


@attrs.frozen
class Ran:
    """What a finished ``esm-bot run`` left behind."""

    code: int
    stdout: str
    stderr: str

    @property
    def last_line(self) -> str:
        """The last non-empty line on standard error."""
        lines = [line for line in self.stderr.splitlines() if line.strip()]
        return lines[-1] if lines else ""


def run_bot(tmp_path: Path, *args: str, pythonpath: str | None = None, **env: str) -> Ran:
    """Run ``python -m esm_bot run ARGS`` with the secrets and ``env``; check what it printed."""
    environ = clean_env(
        TELEGRAM_BOT_TOKEN=TOKEN,
        ESM_WEBHOOK_SECRET=WEBHOOK_SECRET,
        OPENAI_API_KEY=API_KEY,
        ESM_DB_PATH=str(tmp_path / "bot.sqlite3"),
        ESM_JOURNAL_PATH=str(tmp_path / "journal.jsonl"),
        ESM_START_RETRIES="0",
        PYTHONUNBUFFERED="1",
    )
    environ.update(env)
    if pythonpath is not None:
        environ["PYTHONPATH"] = os.pathsep.join([pythonpath, environ.get("PYTHONPATH", "")])
    done = subprocess.run(
        [sys.executable, "-m", "esm_bot", "run", *args],
        capture_output=True,
        text=True,
        env=environ,
        cwd=ROOT,
        timeout=90,
        check=False,
    )
    ran = Ran(done.returncode, done.stdout, done.stderr)
    everything = ran.stdout + ran.stderr
    for secret in SECRETS:
        assert secret not in everything, f"{secret!r} leaked:\n{everything[-3000:]}"
    return ran


def assert_one_line(ran: Ran, code: int, *fragments: str, debug: bool = False) -> None:
    """Exit ``code``; the failure is the last line, said once; no traceback unless ``debug``."""
    assert ran.code == code, ran.stderr[-3000:]
    assert ran.last_line.startswith("esm-bot: "), ran.stderr[-3000:]
    for fragment in fragments:
        assert fragment in ran.last_line, ran.last_line
    assert [line for line in ran.stderr.splitlines() if line.startswith("esm-bot: ")] == [
        ran.last_line
    ]
    assert ("Traceback" in ran.stderr) is debug, ran.stderr[-3000:]
    assert ran.stdout == ""


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    """The loopback Bot API, knowing the test's token."""
    with FakeTelegram(token=TOKEN) as server:
        yield server


def _webhook_env(api_url: str, port: int) -> dict[str, str]:
    return {
        "TELEGRAM_API_URL": api_url,
        "ESM_WEBHOOK_URL": "https://bot.example.org/telegram",
        "ESM_WEBHOOK_HOST": "127.0.0.1",
        "ESM_WEBHOOK_PORT": str(port),
    }


# Telegram


def test_telegram_unreachable_in_webhook_mode_is_one_line_without_the_secrets(
    tmp_path: Path,
) -> None:
    """The issue's case: a closed Bot API port with --webhook leaked the token and the secret."""
    closed = f"http://127.0.0.1:{free_port()}"

    ran = run_bot(tmp_path, "--webhook", **_webhook_env(closed, free_port()))

    assert_one_line(ran, TELEGRAM_UNREACHABLE, "cannot reach the Telegram Bot API")


def test_telegram_unreachable_is_retried_with_backoff_then_reported(tmp_path: Path) -> None:
    """Polling mode: each retry is logged with its pause; then one line and exit 4."""
    closed = f"http://127.0.0.1:{free_port()}"

    ran = run_bot(
        tmp_path,
        "--log-level",
        "DEBUG",
        TELEGRAM_API_URL=closed,
        ESM_START_RETRIES="2",
        ESM_START_BACKOFF_SECONDS="0.01",
    )

    assert_one_line(ran, TELEGRAM_UNREACHABLE, "after 3 attempt(s)", "Connection refused")
    assert "retrying in 0.01 s (retry 1 of 2)" in ran.stderr
    assert "retrying in 0.02 s (retry 2 of 2)" in ran.stderr


def test_a_token_telegram_rejects_fails_fast(tmp_path: Path) -> None:
    """401 on getMe: no retry, exit 3, the way to a new token."""
    with FakeTelegram(token="111111:another-token-the-server-knows") as other:
        ran = run_bot(tmp_path, TELEGRAM_API_URL=other.base_url, ESM_START_RETRIES="5")

    assert_one_line(ran, TOKEN_REJECTED, "401 Unauthorized", "TELEGRAM_BOT_TOKEN")
    assert "retrying" not in ran.stderr
    assert [method for method, _ in other.calls] == []  # refused before any method ran


def test_a_token_answered_404_fails_fast(tmp_path: Path, fake: FakeTelegram) -> None:
    """Telegram answers 404 to a malformed token: the same as a rejected one."""
    fake.fail_next("getMe", 404, "Not Found")

    ran = run_bot(tmp_path, "--webhook", **_webhook_env(fake.base_url, free_port()))

    assert_one_line(ran, TOKEN_REJECTED, "404 Not Found")


def test_set_webhook_refused(tmp_path: Path, fake: FakeTelegram) -> None:
    """setWebhook answered 400: exit 5 naming ESM_WEBHOOK_URL."""
    fake.fail_next("setWebhook", 400, "Bad Request: bad webhook: HTTPS url must be provided")

    ran = run_bot(tmp_path, "--webhook", **_webhook_env(fake.base_url, free_port()))

    assert_one_line(ran, WEBHOOK_REFUSED, "bad webhook", "ESM_WEBHOOK_URL")


def test_webhook_port_in_use(tmp_path: Path, fake: FakeTelegram) -> None:
    """Another process listens on the port: exit 8, nothing registered with Telegram."""
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        ran = run_bot(tmp_path, "--webhook", **_webhook_env(fake.base_url, port))

    assert_one_line(ran, PORT_IN_USE, f"127.0.0.1:{port}", "in use")
    assert fake.sent_calls("setWebhook") == []


def test_debug_shows_the_traceback_still_without_secrets(tmp_path: Path) -> None:
    """--debug adds the traceback (through the same redaction) before the one line."""
    closed = f"http://127.0.0.1:{free_port()}"

    ran = run_bot(tmp_path, "--webhook", "--debug", **_webhook_env(closed, free_port()))

    assert_one_line(ran, TELEGRAM_UNREACHABLE, debug=True)
    assert "/bot***/getMe" in ran.stderr


# the database


def test_invalid_mongodb_uri_is_a_configuration_error(tmp_path: Path, fake: FakeTelegram) -> None:
    """A MONGODB_URI pymongo cannot parse: exit 2, password masked."""
    ran = run_bot(
        tmp_path, TELEGRAM_API_URL=fake.base_url, MONGODB_URI=f"mongodb://esm:{DB_PASSWORD}@"
    )

    assert_one_line(ran, CONFIGURATION, "MONGODB_URI")


def test_wrong_mongodb_password(tmp_path: Path, fake: FakeTelegram, mongo_uri: str) -> None:
    """The server refuses the credentials: exit 7, no retry, the password nowhere."""
    host = mongo_uri.split("://", 1)[1].split("/", 1)[0]
    uri = f"mongodb://esm:{DB_PASSWORD}@{host}/esm_startup?directConnection=true&authSource=admin"

    ran = run_bot(tmp_path, TELEGRAM_API_URL=fake.base_url, MONGODB_URI=uri, ESM_START_RETRIES="3")

    assert_one_line(ran, DATABASE_REFUSED, "Authentication failed", "password")
    assert "retrying" not in ran.stderr


@pytest.mark.slow
def test_mongodb_unreachable(tmp_path: Path, fake: FakeTelegram) -> None:
    """Nothing listens where MONGODB_URI points: exit 6 after the configured attempts."""
    uri = f"mongodb://esm:{DB_PASSWORD}@127.0.0.1:{free_port()}/esm"

    ran = run_bot(tmp_path, TELEGRAM_API_URL=fake.base_url, MONGODB_URI=uri)

    assert_one_line(ran, DATABASE_UNREACHABLE, "unreachable after 1 attempt(s)")


def test_unwritable_db_path(tmp_path: Path, fake: FakeTelegram) -> None:
    """ESM_DB_PATH inside a regular file (no directory can be made there): exit 7."""
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")

    ran = run_bot(
        tmp_path,
        TELEGRAM_API_URL=fake.base_url,
        ESM_DB_PATH=str(blocker / "bot.sqlite3"),
        ESM_JOURNAL_PATH=str(blocker / "journal.jsonl"),
    )

    assert_one_line(ran, DATABASE_REFUSED, "SQLite", "ESM_DB_PATH")


# the process itself


def test_missing_extra(tmp_path: Path) -> None:
    """pyTelegramBotAPI not installed: exit 9 and the pip command."""
    shadow = tmp_path / "shadow"
    (shadow / "telebot").mkdir(parents=True)
    (shadow / "telebot" / "__init__.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'telebot'\", name='telebot')\n"
    )

    ran = run_bot(tmp_path, pythonpath=str(shadow), TELEGRAM_API_URL="http://127.0.0.1:9")

    assert_one_line(ran, MISSING_EXTRA, "telebot", "pip install 'esm-validate[bot]'")


def test_bad_setting_is_a_configuration_error(tmp_path: Path) -> None:
    """A setting out of range: exit 2 naming the variable."""
    ran = run_bot(tmp_path, ESM_START_RETRIES="soon")

    assert_one_line(ran, CONFIGURATION, "ESM_START_RETRIES")


def test_the_documented_codes_are_the_enum() -> None:
    """The numbers above are :class:`esm_bot.telegram.startup.ExitCode` and docs/operations.md."""
    from esm_bot.telegram.startup import ExitCode

    documented = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    for name, number in [
        ("CONFIGURATION", CONFIGURATION),
        ("TOKEN_REJECTED", TOKEN_REJECTED),
        ("TELEGRAM_UNREACHABLE", TELEGRAM_UNREACHABLE),
        ("WEBHOOK_REFUSED", WEBHOOK_REFUSED),
        ("DATABASE_UNREACHABLE", DATABASE_UNREACHABLE),
        ("DATABASE_REFUSED", DATABASE_REFUSED),
        ("PORT_IN_USE", PORT_IN_USE),
        ("MISSING_EXTRA", MISSING_EXTRA),
    ]:
        assert ExitCode[name] == number
        assert f"| {number} |" in documented, f"exit code {number} is not in the table"
