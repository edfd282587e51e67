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

The study settings (:class:`esm_bot.domain.config.StudyConfig`) and the store come from the same
environment; :func:`esm_bot.telegram.wiring.build_app` reads them. The token and the webhook
secret are never shown by ``repr`` or in errors.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from esm_validate import ConfigurationError
from esm_validate._env import read_number

__all__ = ["DEFAULT_API_URL", "BotSettings"]

#: Telegram's own Bot API server.
DEFAULT_API_URL = "https://api.telegram.org"


def parse_admin_ids(raw: str) -> frozenset[int]:
    """Parse ``ESM_ADMIN_IDS`` ("1, 2,3"); raise :class:`ConfigurationError` on anything else."""
    ids: set[int] = set()
    for part in raw.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            ids.add(int(part))
        except ValueError:
            msg = f"ESM_ADMIN_IDS must be comma-separated Telegram user ids, got {part!r}"
            raise ConfigurationError(msg) from None
    return frozenset(ids)


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

    token: str = attrs.field(repr=False)
    api_url: str = DEFAULT_API_URL
    admin_ids: frozenset[int] = frozenset()
    webhook_url: str | None = None
    webhook_secret: str | None = attrs.field(default=None, repr=False)
    webhook_host: str = "0.0.0.0"
    webhook_port: int = 8443
    metrics_interval_minutes: float = 60.0
    tick_seconds: float = 5.0
    long_poll_seconds: int = 10
    send_rate: float = 30.0
    send_rate_per_chat: float = 1.0
    start_retries: int = 30
    start_backoff_seconds: float = 1.0

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
        """Read the settings; raise :class:`ConfigurationError` (one-line reason) if invalid."""
        token = environ.get("TELEGRAM_BOT_TOKEN", "").strip()
        if require_token and not token:
            msg = "TELEGRAM_BOT_TOKEN is not set (get one from @BotFather)"
            raise ConfigurationError(msg)
        if token and (":" not in token or any(c.isspace() for c in token)):
            msg = "TELEGRAM_BOT_TOKEN does not look like a bot token (expected <id>:<secret>)"
            raise ConfigurationError(msg)
        api_url = (environ.get("TELEGRAM_API_URL", "").strip() or DEFAULT_API_URL).rstrip("/")
        if not api_url.startswith(("http://", "https://")):
            msg = f"TELEGRAM_API_URL must start with http:// or https://, got {api_url!r}"
            raise ConfigurationError(msg)
        webhook_url = environ.get("ESM_WEBHOOK_URL", "").strip() or None
        secret = environ.get("ESM_WEBHOOK_SECRET", "").strip() or None
        if secret is not None and not _valid_secret(secret):
            msg = "ESM_WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ and -"
            raise ConfigurationError(msg)
        return cls(
            token=token,
            api_url=api_url,
            admin_ids=parse_admin_ids(environ.get("ESM_ADMIN_IDS", "")),
            webhook_url=webhook_url,
            webhook_secret=secret,
            webhook_host=environ.get("ESM_WEBHOOK_HOST", "").strip() or "0.0.0.0",
            webhook_port=read_number(environ, "ESM_WEBHOOK_PORT", 8443, low=1, high=65535),
            metrics_interval_minutes=read_number(
                environ, "ESM_METRICS_INTERVAL_MINUTES", 60.0, low=0.01, high=7 * 24 * 60
            ),
            tick_seconds=read_number(environ, "ESM_TICK_SECONDS", 5.0, low=0.01, high=600),
            long_poll_seconds=read_number(environ, "ESM_LONG_POLL_SECONDS", 10, low=1, high=50),
            send_rate=read_number(environ, "ESM_SEND_RATE", 30.0, low=0.1, high=1000),
            send_rate_per_chat=read_number(
                environ, "ESM_SEND_RATE_PER_CHAT", 1.0, low=0.01, high=100
            ),
            start_retries=read_number(environ, "ESM_START_RETRIES", 30, low=0, high=100_000),
            start_backoff_seconds=read_number(
                environ, "ESM_START_BACKOFF_SECONDS", 1.0, low=0.001, high=600
            ),
        )


def _valid_secret(secret: str) -> bool:
    return 0 < len(secret) <= 256 and all(
        c.isascii() and (c.isalnum() or c in "_-") for c in secret
    )
