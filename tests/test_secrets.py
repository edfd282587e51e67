"""Secrets never leak: API keys, the bot token, the webhook secret, the export salt, URI passwords.

The real commands run with fake secrets in their environment, against real local servers (an
OpenAI-wire server that, like OpenAI, echoes the rejected key in its error message; a closed
MongoDB port; a fake Bot API). Everything they print, log and write is grepped for every secret.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import esm_validate
from esm_bot.domain.redact import redact, redact_uri, secret_values, strip_uri_password
from esm_bot.ops.health import run_health
from esm_bot.store.sqlite import SqliteStore
from esm_validate import ConfigurationError
from tests._ops_cli import clean_env, run_esm_bot
from tests._ops_study import simulate_study
from tests._services import free_port
from tests.llm_servers import LLMServer, RecordedRequest, Reply

ROOT = Path(__file__).resolve().parent.parent

OPENAI_KEY = "sk-test-SECRET123openai"
ANTHROPIC_KEY = "sk-ant-test-SECRET456anthropic"
COMPAT_KEY = "SECRET789compatible"
BOT_TOKEN = "123456789:SECRETtokenAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
WEBHOOK_SECRET = "SECRETwebhook0042"
SALT = "SECRETsalt0099"
MONGO_PASSWORD = "SECRETmongoPW77"
SECRETS = (OPENAI_KEY, ANTHROPIC_KEY, COMPAT_KEY, BOT_TOKEN, WEBHOOK_SECRET, SALT, MONGO_PASSWORD)
# Distinctive fragments, in case something prints a secret cut or reformatted.
FRAGMENTS = ("SECRET123", "SECRET456", "SECRET789", "SECRETtoken", "SECRETwebhook", "SECRETsalt",
             "SECRETmongo")  # fmt: skip


def assert_clean(*texts: str) -> None:
    """No secret and no fragment of one in any of ``texts``."""
    for text in texts:
        for secret in (*SECRETS, *FRAGMENTS):
            assert secret not in text, f"{secret!r} leaked: ...{text[:300]!r}"


@pytest.fixture
def openai_echo() -> Iterator[LLMServer]:
    """An OpenAI-wire server that refuses the key and echoes it, as the real API does."""
    with LLMServer("openai") as server:

        def refuse(request: RecordedRequest) -> Reply:
            key = request.headers.get("authorization", "").removeprefix("Bearer ")
            return server.error(
                401, f"Incorrect API key provided: {key}.", kind="invalid_request_error"
            )

        server.respond_with(refuse)
        yield server


def _env(**extra: str) -> dict[str, str]:
    env = clean_env()
    env.update(
        OPENAI_API_KEY=OPENAI_KEY,
        ANTHROPIC_API_KEY=ANTHROPIC_KEY,
        ESM_AI_API_KEY=COMPAT_KEY,
        TELEGRAM_BOT_TOKEN=BOT_TOKEN,
        ESM_WEBHOOK_SECRET=WEBHOOK_SECRET,
        ESM_EXPORT_SALT=SALT,
        ESM_ADMIN_IDS="42",
    )
    env.update(extra)
    return env


def _run(args: list[str], env: dict[str, str], timeout: float = 60) -> tuple[int, str]:
    done = run_esm_bot(args, env=env, timeout=timeout)
    return done.returncode, done.stdout + done.stderr


def _files(folder: Path) -> str:
    texts = []
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix != ".sqlite3" and "sqlite3-" not in path.name:
            texts.append(path.read_text(encoding="utf-8", errors="replace"))
    return "\n".join(texts)


@pytest.mark.process
def test_health_with_a_key_the_server_echoes(openai_echo: LLMServer, tmp_path: Path) -> None:
    """health --live and --json: the key reached the server, and appears nowhere in the output."""
    SqliteStore(tmp_path / "h.sqlite3").close()
    env = _env(OPENAI_BASE_URL=openai_echo.base_url, ESM_DB_PATH=str(tmp_path / "h.sqlite3"))

    code_live, out_live = _run(["health", "--live", "-v"], env)
    code_json, out_json = _run(["health", "--json", "--live"], env)

    assert openai_echo.requests[0].headers["authorization"] == f"Bearer {OPENAI_KEY}"
    assert code_live == code_json == 1
    assert "ai_auth" in out_live
    assert_clean(out_live, out_json)


@pytest.mark.process
def test_health_with_a_mongodb_password(tmp_path: Path) -> None:
    """An unreachable MongoDB with a password in its URI: the password is never shown."""
    uri = f"mongodb://esm:{MONGO_PASSWORD}@127.0.0.1:{free_port()}/esm"

    code, out = _run(["health"], _env(MONGODB_URI=uri))
    _, backup = _run(["backup", str(tmp_path)], _env(MONGODB_URI=uri))
    _, export = _run(["export"], _env(MONGODB_URI=uri))

    assert code == 2
    assert "mongodump" in backup
    assert_clean(out, backup, export)


@pytest.mark.process
@pytest.mark.slow  # five commands, each a process
def test_export_stats_migrate_report_files_and_output(tmp_path: Path) -> None:
    """Every operations command on a real study: output and written files hold no secret."""
    db = tmp_path / "study.sqlite3"
    store = SqliteStore(db)
    simulate_study(store, participants=2, days=2)
    store.close()
    out = tmp_path / "out"
    env = _env(ESM_DB_PATH=str(db))

    outputs = [
        _run(["export", "--format", "csv"], env)[1],
        _run(["export", "--format", "jsonl", "--out", str(out / "s.jsonl"), "--codebook"], env)[1],
        _run(["export", "--out", str(out / "s.csv")], env)[1],
        _run(["stats"], env)[1],
        _run(["stats", "--json"], env)[1],
        _run(["migrate", "--check"], env)[1],
        _run(["migrate"], env)[1],
        _run(["report", "--out", str(out / "report")], env)[1],
        _run(["backup", str(out / "backup")], env)[1],
        _run(["health", "--json", "-v"], env)[1],
    ]

    assert (out / "s.csv").is_file()
    assert (out / "report" / "esm_report.html").is_file()
    assert_clean(*outputs, _files(out))


def test_in_process_logs_and_health(openai_echo: LLMServer, caplog: Any, tmp_path: Path) -> None:
    """Library use: the fallback warning, the health report and the stats carry no key."""
    env = _env(OPENAI_BASE_URL=openai_echo.base_url)
    caplog.set_level(logging.DEBUG)

    with esm_validate.from_env(env) as validator:
        assessment = validator.validate("At the beep I said 'hello' to myself.", user_id="1")
        stats = validator.stats()
        text = repr(validator)
    store = SqliteStore(tmp_path / "x.sqlite3")
    try:
        report = run_health(store, environ=env, live=True)
    finally:
        store.close()

    assert assessment.fallback_reason == "ai_auth"
    assert caplog.records, "the fallback is logged"
    assert_clean(
        caplog.text,
        text,
        repr(stats),
        repr(assessment.to_dict()),
        report.render(verbose=True),
        repr(report.to_dict()),
    )


@pytest.mark.parametrize(
    "extra",
    [
        {"ESM_AI_TIMEOUT": "soon"},
        {"ESM_AI_PROVIDER": "nonsense"},
        {"ESM_RATE_LIMIT": "-1"},
        {"OPENAI_BASE_URL": "ftp://example.org"},
    ],
)
def test_misconfigured_backend_errors_carry_no_key(extra: dict[str, str]) -> None:
    """ConfigurationError from a misconfigured backend names the setting, never a key."""
    with pytest.raises(ConfigurationError) as info:
        esm_validate.from_env(_env(**extra)).close()

    assert_clean(str(info.value), repr(info.value), "".join(traceback.format_exception(info.value)))


def test_backend_auth_error_carries_no_key(openai_echo: LLMServer) -> None:
    """The typed error raised by the backend itself (server echoing the key) is clean."""
    backend = esm_validate.OpenAIBackend(api_key=OPENAI_KEY, base_url=openai_echo.base_url)
    validator = esm_validate.AIValidator(backend)
    try:
        with pytest.raises(esm_validate.BackendAuthError) as info:
            validator.validate("At the beep I said 'hello' to myself.")
    finally:
        validator.close()

    assert_clean(
        str(info.value),
        repr(info.value),
        "".join(traceback.format_exception(info.value)),
        repr(backend),
    )


@pytest.mark.process
def test_bot_run_logs_carry_no_token(tmp_path: Path) -> None:
    """esm-bot run against an unreachable Bot API: retries logged at DEBUG, then one line, exit 4;
    the token appears nowhere (the process ends by itself: no sleep, no signal)."""
    env = _env(
        TELEGRAM_API_URL=f"http://127.0.0.1:{free_port()}",
        ESM_DB_PATH=str(tmp_path / "bot.sqlite3"),
        ESM_START_RETRIES="2",
        ESM_START_BACKOFF_SECONDS="0.01",
    )
    env.pop("OPENAI_API_KEY")
    env.pop("ANTHROPIC_API_KEY")
    env.pop("ESM_AI_API_KEY")

    code, output = _run(["run", "--log-level", "DEBUG"], env)

    assert code == 4, output[-2000:]
    assert "/getMe" in output or "getMe failed" in output, "the bot logged its attempts"
    assert_clean(output)


# the redaction helpers themselves


def test_secret_values_and_redact() -> None:
    """Secret-looking variables and URI passwords are found; redact replaces every occurrence."""
    env = {
        "OPENAI_API_KEY": OPENAI_KEY,
        "TELEGRAM_BOT_TOKEN": BOT_TOKEN,
        "MONGODB_URI": f"mongodb://u:{MONGO_PASSWORD}@h/db",
        "ESM_TIMEZONE": "Europe/Moscow",
        "ESM_EXPORT_SALT": "ab",
    }

    found = secret_values(env)
    text = redact(f"key={OPENAI_KEY} url=https://x/bot{BOT_TOKEN}/getMe {env['MONGODB_URI']}", env)

    assert {OPENAI_KEY, BOT_TOKEN, BOT_TOKEN.split(":")[1], MONGO_PASSWORD} <= set(found)
    assert all("SECRET" in value for value in found)  # other forms of the secrets, nothing else
    assert_clean(text)
    assert "Europe/Moscow" not in found
    assert "https://x/bot***/getMe" in text
    assert redact("token 987654321:ABCdefGHIjklMNOpqrSTUvwxYZ0123456") == "token ***"


def test_uri_helpers() -> None:
    """redact_uri masks the password; strip_uri_password leaves it out for tools that ask."""
    uri = f"mongodb://bot:{MONGO_PASSWORD}@db1:27017,db2:27017/esm?replicaSet=rs0"

    assert redact_uri(uri) == "mongodb://bot:***@db1:27017,db2:27017/esm?replicaSet=rs0"
    assert strip_uri_password(uri) == "mongodb://bot@db1:27017,db2:27017/esm?replicaSet=rs0"
    assert redact_uri("mongodb://db1/esm") == "mongodb://db1/esm"
