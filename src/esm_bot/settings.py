"""Settings of the bot process and of its store, read like the study's (:mod:`esm_bot.domain.env`);
the token, the webhook secret and the MongoDB URI never appear in ``repr`` or in errors."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import attrs

from esm_bot.domain.env import SettingsError, env_field, from_env, number

__all__ = [
    "DEFAULT_DB_PATH",
    "BotSettings",
    "SettingsError",
    "StoreSettings",
    "default_journal_path",
]

#: Where the embedded database lives unless ``ESM_DB_PATH`` says otherwise.
DEFAULT_DB_PATH = "esm_bot.sqlite3"


def _admin_ids(variable: str, raw: str) -> frozenset[int]:
    try:
        return frozenset(int(part) for part in raw.replace(";", ",").split(",") if part.strip())
    except ValueError:
        msg = f"{variable} must be comma-separated Telegram user ids, got {raw!r}"
        raise SettingsError(msg) from None


def _token(variable: str, raw: str) -> str:
    if ":" not in raw or any(c.isspace() for c in raw):
        msg = f"{variable} does not look like a bot token (expected <id>:<secret>)"
        raise SettingsError(msg)  # never the value: it is a secret
    return raw


def _api_url(variable: str, raw: str) -> str:
    if not raw.startswith(("http://", "https://")):
        raise SettingsError(f"{variable} must start with http:// or https://, got {raw!r}")
    return raw.rstrip("/")


def _webhook_secret(variable: str, raw: str) -> str:
    if not (len(raw) <= 256 and all(c.isascii() and (c.isalnum() or c in "_-") for c in raw)):
        raise SettingsError(f"{variable} must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
    return raw


@attrs.frozen
class BotSettings:
    """Everything ``esm-bot run`` needs besides the study and the store."""

    token: str = env_field("TELEGRAM_BOT_TOKEN", _token, repr=False)
    api_url: str = env_field("TELEGRAM_API_URL", _api_url, default="https://api.telegram.org")
    admin_ids: frozenset[int] = env_field("ESM_ADMIN_IDS", _admin_ids, default=frozenset())
    webhook_url: str | None = env_field("ESM_WEBHOOK_URL", default=None)
    webhook_secret: str | None = env_field(
        "ESM_WEBHOOK_SECRET", _webhook_secret, default=None, repr=False
    )
    webhook_host: str = env_field("ESM_WEBHOOK_HOST", default="0.0.0.0")
    webhook_port: int = env_field("ESM_WEBHOOK_PORT", number(int, 1, 65535), default=8443)
    metrics_interval_minutes: float = env_field(
        "ESM_METRICS_INTERVAL_MINUTES", number(float, 0.01, 7 * 24 * 60), default=60.0
    )
    tick_seconds: float = env_field("ESM_TICK_SECONDS", number(float, 0.01, 600), default=5.0)
    long_poll_seconds: int = env_field("ESM_LONG_POLL_SECONDS", number(int, 1, 50), default=10)
    send_rate: float = env_field("ESM_SEND_RATE", number(float, 0.1, 1000), default=30.0)
    send_rate_per_chat: float = env_field(
        "ESM_SEND_RATE_PER_CHAT", number(float, 0.01, 100), default=1.0
    )
    start_retries: int = env_field("ESM_START_RETRIES", number(int, 0, 100_000), default=30)
    start_backoff_seconds: float = env_field(
        "ESM_START_BACKOFF_SECONDS", number(float, 0.001, 600), default=1.0
    )

    @property
    def api_template(self) -> str:
        """The value for ``telebot.apihelper.API_URL``."""
        return self.api_url + "/bot{0}/{1}"

    @property
    def file_template(self) -> str:
        """The value for ``telebot.apihelper.FILE_URL``."""
        return self.api_url + "/file/bot{0}/{1}"

    def is_admin(self, user_id: int | None) -> bool:
        """True when ``user_id`` is in ``ESM_ADMIN_IDS``."""
        return user_id is not None and user_id in self.admin_ids

    @classmethod
    def from_env(cls, environ: Mapping[str, str], *, require_token: bool = True) -> BotSettings:
        """Read the settings; raise :class:`SettingsError` (one-line reason) if invalid."""
        settings = from_env(cls, environ, token="")
        if require_token and not settings.token:
            raise SettingsError("TELEGRAM_BOT_TOKEN is not set (get one from @BotFather)")
        return settings


def default_journal_path(db_path: str | os.PathLike[str] = DEFAULT_DB_PATH) -> Path:
    """The journal used when none is given: ``esm_bot.journal.jsonl`` beside the database file."""
    return Path(db_path).parent / "esm_bot.journal.jsonl"


@attrs.frozen
class StoreSettings:
    """Where the bot's data lives: MongoDB when ``mongodb_uri`` is set, else SQLite."""

    mongodb_uri: str | None = env_field("MONGODB_URI", default=None, repr=False)
    mongodb_db: str | None = env_field("ESM_MONGODB_DB", default=None)
    db_path: str = env_field("ESM_DB_PATH", default=DEFAULT_DB_PATH)
    journal_path: str | None = env_field("ESM_JOURNAL_PATH", default=None)

    @property
    def journal_file(self) -> Path:
        """The journal file: ``journal_path``, else :func:`default_journal_path` of ``db_path``."""
        return Path(self.journal_path) if self.journal_path else default_journal_path(self.db_path)

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> StoreSettings:
        """Read ``MONGODB_URI``, ``ESM_MONGODB_DB``, ``ESM_DB_PATH`` and ``ESM_JOURNAL_PATH``."""
        return from_env(cls, environ)
