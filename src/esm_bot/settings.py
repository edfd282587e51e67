"""Settings of the bot process, read once from the environment at the edge (``esm-bot run``).

:meth:`BotSettings.from_env` reads:

==============================  ===============================================================
``TELEGRAM_BOT_TOKEN``          the bot token from @BotFather (required for ``run``)
``TELEGRAM_API_URL``            Bot API base URL (default ``https://api.telegram.org``); the bot
                                appends ``/bot<token>/<method>``
``ESM_ADMIN_IDS``               comma-separated Telegram user ids allowed /stats, /export, /health
``ESM_WEBHOOK_URL``             public HTTPS URL Telegram posts updates to (``run --webhook``)
``ESM_WEBHOOK_SECRET``          the ``X-Telegram-Bot-Api-Secret-Token`` every update must carry
``ESM_WEBHOOK_HOST``            address the webhook server listens on (default ``0.0.0.0``)
``ESM_WEBHOOK_PORT``            its port (default 8443)
``ESM_METRICS_INTERVAL_MINUTES`` how often the metrics snapshot is logged (default 60)
``ESM_TICK_SECONDS``            how often the scheduler looks for due beeps (default 5)
``ESM_LONG_POLL_SECONDS``       getUpdates long-poll length (default 10; shutdown waits for it)
``ESM_SEND_RATE``               outgoing messages per second overall (default 30)
``ESM_SEND_RATE_PER_CHAT``      outgoing messages per second per chat (default 1)
``ESM_START_RETRIES``           retries at start while Telegram or the database is unreachable
                                (default 30; 0: give up at the first failure)
``ESM_START_BACKOFF_SECONDS``   the first pause between those retries (default 1; it doubles
                                up to 60 s)
==============================  ===============================================================

:meth:`StoreSettings.from_env` reads where the data lives: ``MONGODB_URI`` (and
``ESM_MONGODB_DB``), else the SQLite file ``ESM_DB_PATH``; ``ESM_JOURNAL_PATH`` is the outage
journal. The study settings are :meth:`esm_bot.domain.config.StudyConfig.from_env`. All three read
the environment the same way (:mod:`esm_bot.domain.env`: each field names its variable) and raise
:class:`~esm_bot.domain.env.SettingsError` naming the variable. The token and the webhook secret
are never shown by ``repr`` or in errors.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import attrs

from esm_bot.domain.env import SettingsError, env_field, number, read_env, variables

__all__ = [
    "DEFAULT_API_URL",
    "DEFAULT_DB_PATH",
    "BotSettings",
    "SettingsError",
    "StoreSettings",
    "default_journal_path",
    "variables",
]

#: Telegram's own Bot API server.
DEFAULT_API_URL = "https://api.telegram.org"
#: Where the embedded database lives unless ``ESM_DB_PATH`` says otherwise.
DEFAULT_DB_PATH = "esm_bot.sqlite3"


def parse_admin_ids(variable: str, raw: str) -> frozenset[int]:
    """Parse ``ESM_ADMIN_IDS`` ("1, 2,3"); raise :class:`SettingsError` on anything else."""
    ids: set[int] = set()
    for part in raw.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            ids.add(int(part))
        except ValueError:
            msg = f"{variable} must be comma-separated Telegram user ids, got {part!r}"
            raise SettingsError(msg) from None
    return frozenset(ids)


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
    """Everything ``esm-bot run`` needs besides the study and the store.

    Attributes:
        token: The bot token (never in ``repr``).
        api_url: Bot API base URL without a trailing slash.
        admin_ids: Telegram user ids allowed the researcher commands.
        webhook_url: Public URL for webhook mode, or None.
        webhook_secret: Secret token Telegram sends with each update (never in ``repr``).
        webhook_host: Address the webhook server binds.
        webhook_port: Port the webhook server binds.
        metrics_interval_minutes: Period of the metrics log line.
        tick_seconds: Period of the beep scheduler.
        long_poll_seconds: getUpdates long-poll length.
        send_rate: Outgoing messages per second overall.
        send_rate_per_chat: Outgoing messages per second to one chat.
        start_retries: Retries at start while Telegram or the database is unreachable.
        start_backoff_seconds: The first pause between those retries (then doubling).
    """

    token: str = env_field("TELEGRAM_BOT_TOKEN", _token, repr=False)
    api_url: str = env_field("TELEGRAM_API_URL", _api_url, default=DEFAULT_API_URL)
    admin_ids: frozenset[int] = env_field("ESM_ADMIN_IDS", parse_admin_ids, default=frozenset())
    webhook_url: str | None = env_field("ESM_WEBHOOK_URL", default=None)
    webhook_secret: str | None = env_field(
        "ESM_WEBHOOK_SECRET", _webhook_secret, default=None, repr=False
    )
    webhook_host: str = env_field("ESM_WEBHOOK_HOST", default="0.0.0.0")
    webhook_port: int = env_field("ESM_WEBHOOK_PORT", number(int, low=1, high=65535), default=8443)
    metrics_interval_minutes: float = env_field(
        "ESM_METRICS_INTERVAL_MINUTES", number(float, low=0.01, high=7 * 24 * 60), default=60.0
    )
    tick_seconds: float = env_field(
        "ESM_TICK_SECONDS", number(float, low=0.01, high=600), default=5.0
    )
    long_poll_seconds: int = env_field(
        "ESM_LONG_POLL_SECONDS", number(int, low=1, high=50), default=10
    )
    send_rate: float = env_field("ESM_SEND_RATE", number(float, low=0.1, high=1000), default=30.0)
    send_rate_per_chat: float = env_field(
        "ESM_SEND_RATE_PER_CHAT", number(float, low=0.01, high=100), default=1.0
    )
    start_retries: int = env_field(
        "ESM_START_RETRIES", number(int, low=0, high=100_000), default=30
    )
    start_backoff_seconds: float = env_field(
        "ESM_START_BACKOFF_SECONDS", number(float, low=0.001, high=600), default=1.0
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
        values = read_env(cls, environ)
        if require_token and not values.get("token"):
            raise SettingsError("TELEGRAM_BOT_TOKEN is not set (get one from @BotFather)")
        return cls(**{"token": "", **values})


def default_journal_path(db_path: str | os.PathLike[str] = DEFAULT_DB_PATH) -> Path:
    """The journal used when none is given: ``esm_bot.journal.jsonl`` beside the database file."""
    return Path(db_path).parent / "esm_bot.journal.jsonl"


@attrs.frozen
class StoreSettings:
    """Where the bot's data lives.

    Attributes:
        mongodb_uri: Use MongoDB at this URI (never in ``repr``: it may hold a password).
        mongodb_db: The MongoDB database (default: the URI's database, else ``esm_bot``).
        db_path: The SQLite file when no MongoDB is configured.
        journal_path: The outage journal (default: beside ``db_path``).
    """

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
        return cls(**read_env(cls, environ))
