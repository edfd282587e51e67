"""BotSettings.from_env and the esm-bot command's configuration errors."""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from esm_bot.domain.redact import guard_output
from esm_bot.settings import BotSettings, SettingsError

TOKEN = "123456:SECRET-abcdefghijklmnopqrstuvwxyz"


def test_reads_everything() -> None:
    """Every variable is read; the API's base URL loses its trailing slash (the bot appends
    /bot<token>/<method> to it)."""
    s = BotSettings.from_env(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": "http://127.0.0.1:8081/",
            "ESM_ADMIN_IDS": "1, 2;3",
            "ESM_WEBHOOK_SECRET": "abc_DEF-1",
            "ESM_WEBHOOK_PORT": "9000",
            "ESM_METRICS_INTERVAL_MINUTES": "15",
        }
    )

    assert s.api_url == "http://127.0.0.1:8081"
    assert s.admin_ids == frozenset({1, 2, 3})
    assert s.is_admin(2)
    assert not s.is_admin(None)
    assert s.webhook_port == 9000
    assert s.metrics_interval_minutes == 15.0


def test_secrets_never_in_repr() -> None:
    """Neither the token nor the webhook secret shows in repr."""
    s = BotSettings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, "ESM_WEBHOOK_SECRET": "topsecret1"})

    assert "SECRET-abc" not in repr(s)
    assert "topsecret1" not in repr(s)


@pytest.mark.parametrize(
    ("env", "fragment"),
    [
        ({}, "TELEGRAM_BOT_TOKEN is not set"),
        ({"TELEGRAM_BOT_TOKEN": "nocolon"}, "does not look like a bot token"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "ESM_ADMIN_IDS": "alice"}, "ESM_ADMIN_IDS"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "ESM_WEBHOOK_PORT": "0"}, "ESM_WEBHOOK_PORT"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": "ftp://x"}, "TELEGRAM_API_URL"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "ESM_WEBHOOK_SECRET": "has space"}, "ESM_WEBHOOK_SECRET"),
    ],
)
def test_bad_values_have_clear_errors(env: dict[str, str], fragment: str) -> None:
    """Each bad value names its variable."""
    with pytest.raises(SettingsError, match=fragment) as info:
        BotSettings.from_env(env)

    assert TOKEN not in str(info.value)


@pytest.mark.process
def test_run_without_token_is_one_line_and_exit_2() -> None:
    """`esm-bot run` with no token: one line on stderr, exit code 2, no traceback."""
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    proc = subprocess.run(
        [sys.executable, "-c", "import sys; from esm_bot.cli import main; sys.exit(main(['run']))"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0
    assert "TELEGRAM_BOT_TOKEN is not set" in proc.stderr
    assert "Traceback" not in proc.stderr


_env_names = st.sampled_from(
    [
        "TELEGRAM_BOT_TOKEN",
        "TELEGRAM_API_URL",
        "ESM_ADMIN_IDS",
        "ESM_WEBHOOK_SECRET",
        "ESM_WEBHOOK_PORT",
        "ESM_METRICS_INTERVAL_MINUTES",
        "ESM_TICK_SECONDS",
        "ESM_LONG_POLL_SECONDS",
        "ESM_SEND_RATE",
    ]
)


@given(st.dictionaries(_env_names, st.text(max_size=30), max_size=9))
def test_fuzzed_environment_gives_settings_or_a_clear_error(env: dict[str, str]) -> None:
    """Any environment: valid settings, or a SettingsError naming a variable."""
    message = ""
    try:
        settings = BotSettings.from_env(env, require_token=False)
    except SettingsError as exc:
        message = str(exc)
    else:
        assert settings.api_url.startswith("http")
    assert not message or any(name in message for name in ("TELEGRAM", "ESM_"))


def test_guarded_logs_hide_the_token_in_messages_and_tracebacks() -> None:
    """A record (and its traceback) mentioning the token reaches any handler with *** instead."""
    logger = logging.getLogger("esm_bot.test_redaction")
    handler = logging.StreamHandler(io.StringIO())
    logger.addHandler(handler)
    try:
        with guard_output([TOKEN]):
            try:
                raise ConnectionError(f"Max retries exceeded with url: /bot{TOKEN}/getUpdates")
            except ConnectionError:
                logger.exception("polling failed for %s", TOKEN)
    finally:
        logger.removeHandler(handler)
    stream = handler.stream
    assert isinstance(stream, io.StringIO)
    text = stream.getvalue()

    assert "SECRET-abc" not in text
    assert "***" in text
    assert "getUpdates" in text


def test_settings_are_read_one_way_and_documented() -> None:
    """Every variable the bot reads is declared on a field (settings.env_field) and in the docs."""
    from pathlib import Path

    from esm_bot.settings import StoreSettings, StudyConfig, variables

    docs = (Path(__file__).parents[1] / "docs" / "configuration.md").read_text(encoding="utf-8")
    names = [*variables(BotSettings), *variables(StoreSettings), *variables(StudyConfig)]

    assert len(names) == len(set(names)) > 40
    assert [name for name in names if f"`{name}`" not in docs] == []
    assert StoreSettings.from_env({"ESM_DB_PATH": "/d/x.sqlite3"}).journal_file == Path(
        "/d/esm_bot.journal.jsonl"
    )


def test_the_bot_uses_its_own_settings_error_not_the_librarys() -> None:
    """No import of esm_validate's private _env, no ConfigurationError raised for bot settings."""
    from pathlib import Path

    from esm_validate import ConfigurationError

    source = Path(__file__).parents[1] / "src" / "esm_bot"
    texts = {p: p.read_text(encoding="utf-8") for p in source.rglob("*.py")}

    assert not issubclass(SettingsError, ConfigurationError)
    assert [p.name for p, t in texts.items() if "esm_validate._env" in t] == []
    assert [p.name for p, t in texts.items() if "raise ConfigurationError" in t] == []
