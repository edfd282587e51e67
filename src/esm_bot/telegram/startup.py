"""Start-up of ``esm-bot run``: each way it can fail becomes one clear line and an exit code.

:func:`start` opens the store, builds the bot, asks Telegram who the bot is (``getMe``), binds
the webhook port and registers the webhook, or starts polling, and only then makes its first
round trip to the database: while that is retried, updates are already taken (those that need
the database are kept in the ledger and the participant is told; docs/scaling.md). What is
transient (Telegram or the database unreachable) is retried with a growing pause
(``ESM_START_RETRIES`` times, the first pause ``ESM_START_BACKOFF_SECONDS``, then doubling up to
a minute), and each retry is logged. What will
not get better by waiting (a token Telegram rejects, a refused password, a port in use, a missing
package) stops at once. Either way the caller gets a :class:`StartupError` carrying one line and
an :class:`ExitCode`; docs/operations.md lists them.
"""

from __future__ import annotations

import enum
import errno
import logging
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

import attrs

from esm_bot.domain.redact import one_line, redact_uri
from esm_bot.settings import BotSettings

__all__ = [
    "Backoff",
    "ExitCode",
    "StartupError",
    "Stopped",
    "call_telegram",
    "check_database",
    "missing_extra",
    "open_database",
    "open_store",
    "retrying",
    "serve_webhook",
    "start",
]

log = logging.getLogger("esm_bot")

T = TypeVar("T")

#: The extra that installs each optional top-level module.
_EXTRAS = {
    "telebot": "bot",
    "pymongo": "bot",
    "bson": "bot",
    "tzdata": "bot",
    "redis": "redis",
    "prometheus_client": "prometheus",
    "opentelemetry": "otel",
}


class ExitCode(enum.IntEnum):
    """Exit codes of ``esm-bot run`` (see docs/operations.md, "Troubleshooting")."""

    OK = 0
    UNEXPECTED = 1
    CONFIGURATION = 2
    TOKEN_REJECTED = 3
    TELEGRAM_UNREACHABLE = 4
    WEBHOOK_REFUSED = 5
    DATABASE_UNREACHABLE = 6
    DATABASE_REFUSED = 7
    PORT_IN_USE = 8
    MISSING_EXTRA = 9
    INTERRUPTED = 130


class StartupError(Exception):
    """The bot cannot start: what failed, what to do about it, and the exit code."""

    def __init__(self, code: ExitCode, what: str, todo: str) -> None:
        super().__init__(f"{what}; {todo}")
        self.code = code
        self.what = what
        self.todo = todo


class Stopped(Exception):
    """A signal asked the process to stop while it was still starting."""


@attrs.frozen
class Backoff:
    """How often and how patiently start-up retries what is unreachable.

    Attributes:
        retries: Retries after the first attempt (0: fail at the first error).
        first: The first pause in seconds; each next one doubles, up to ``cap``.
        cap: The longest pause.
    """

    retries: int = 30
    first: float = 1.0
    cap: float = 60.0

    def delays(self) -> Iterator[float]:
        """The pauses before each retry."""
        delay = self.first
        for _ in range(self.retries):
            yield min(delay, self.cap)
            delay *= 2


def retrying(
    attempt: Callable[[], T],
    *,
    transient: Callable[[BaseException], bool],
    backoff: Backoff,
    wait: Callable[[float], bool],
    what: str,
) -> T:
    """Call ``attempt`` until it succeeds, retrying transient errors after each pause.

    ``wait(seconds)`` pauses and returns True when the process was asked to stop (then
    :class:`Stopped` is raised). A non-transient error, or the last transient one, is re-raised.
    """
    delays = backoff.delays()
    tried = 0
    while True:
        tried += 1
        try:
            return attempt()
        except Exception as exc:
            if not transient(exc):
                raise
            delay = next(delays, None)
            if delay is None:
                raise
            log.warning(
                "%s failed (%s); retrying in %.3g s (retry %d of %d)",
                what,
                one_line(exc, 160),
                delay,
                tried,
                backoff.retries,
            )
            if wait(delay):
                raise Stopped from None


def missing_extra(exc: ImportError) -> StartupError | None:
    """The :class:`StartupError` for a missing optional package, or None for another ImportError."""
    top = (exc.name or "").split(".")[0]
    extra = _EXTRAS.get(top)
    if extra is None:
        return None
    return StartupError(
        ExitCode.MISSING_EXTRA,
        f"the Python package {top!r} is not installed (part of the {extra!r} extra)",
        f"install it: pip install 'esm-validate[{extra}]'",
    )


# the database


def open_database(
    environ: Mapping[str, str], backoff: Backoff, wait: Callable[[float], bool]
) -> Any:
    """Open the configured store and make one round trip to it (retried while unreachable)."""
    store = open_store(environ)
    check_database(store, environ, backoff, wait)
    return store


def open_store(environ: Mapping[str, str]) -> Any:
    """Open the configured store without touching the database (a bad URI or path fails here)."""
    from esm_bot.store import StoreError, store_from_env

    mongo = bool(environ.get("MONGODB_URI", "").strip())
    try:
        store = store_from_env(environ)
    except (StoreError, OSError) as exc:
        if mongo:  # building the client does no I/O: what fails here is the URI itself
            raise StartupError(
                ExitCode.CONFIGURATION,
                f"MONGODB_URI is not usable ({one_line(exc)})",
                "fix MONGODB_URI (its form is in docs/operations.md, section MongoDB)",
            ) from exc
        raise StartupError(
            ExitCode.DATABASE_REFUSED,
            f"cannot open the SQLite database ({one_line(exc)})",
            "set ESM_DB_PATH (and ESM_JOURNAL_PATH) to files in a directory the bot may write",
        ) from exc
    return store


def check_database(
    store: Any, environ: Mapping[str, str], backoff: Backoff, wait: Callable[[float], bool]
) -> None:
    """Make one round trip to the database, retried while unreachable; closes it on failure."""
    from esm_bot.store import StoreError, StoreUnavailable

    mongo = bool(environ.get("MONGODB_URI", "").strip())
    where = "MongoDB" if mongo else "the SQLite database"
    direct = getattr(store, "inner", store)  # not the journal's outage mode: nothing runs yet
    try:
        retrying(
            direct.ping,
            transient=lambda e: isinstance(e, StoreUnavailable),
            backoff=backoff,
            wait=wait,
            what=f"connecting to {where}",
        )
    except StoreUnavailable as exc:
        store.close()
        raise StartupError(
            ExitCode.DATABASE_UNREACHABLE,
            f"{where} is unreachable after {backoff.retries + 1} attempt(s) ({one_line(exc)})",
            "start the database, or check MONGODB_URI (hosts, port, replicaSet) and the network",
        ) from exc
    except (StoreError, OSError) as exc:
        store.close()
        todo = (
            "check the user name, the password and authSource in MONGODB_URI, and that the user "
            "has readWrite on the database"
            if mongo
            else "set ESM_DB_PATH to a file the bot may write"
        )
        raise StartupError(
            ExitCode.DATABASE_REFUSED, f"{where} refused the bot ({one_line(exc)})", todo
        ) from exc
    except Stopped:
        store.close()
        raise


# Telegram


def _telegram_transient(exc: BaseException) -> bool:
    """Network trouble, a proxy's error page, 429 or a 5xx: waiting may help."""
    import requests
    from telebot import apihelper

    if isinstance(exc, apihelper.ApiTelegramException):
        return bool(exc.error_code == 429 or exc.error_code >= 500)
    return isinstance(exc, apihelper.ApiHTTPException | requests.RequestException | OSError)


def _api_error(exc: BaseException) -> str:
    from telebot import apihelper

    if isinstance(exc, apihelper.ApiTelegramException):
        return f"{exc.error_code} {exc.description}"
    return one_line(exc)


def call_telegram(
    call: Callable[[], T],
    settings: BotSettings,
    backoff: Backoff,
    wait: Callable[[float], bool],
    *,
    what: str,
    refused: Callable[[str], StartupError],
) -> T:
    """Make one Bot API call at start, retried while Telegram is unreachable.

    ``refused`` turns Telegram's answer to a call it refuses into the error to raise.
    """
    try:
        return retrying(call, transient=_telegram_transient, backoff=backoff, wait=wait, what=what)
    except Stopped:
        raise
    except Exception as exc:
        if not _telegram_transient(exc):
            raise refused(_api_error(exc)) from exc
        raise StartupError(
            ExitCode.TELEGRAM_UNREACHABLE,
            f"cannot reach the Telegram Bot API at {redact_uri(settings.api_url)} after "
            f"{backoff.retries + 1} attempt(s) ({_api_error(exc)})",
            "check the network, a proxy or TELEGRAM_API_URL; ESM_START_RETRIES sets the patience",
        ) from exc


def _token_rejected(answer: str) -> StartupError:
    return StartupError(
        ExitCode.TOKEN_REJECTED,
        f"Telegram rejected the bot token ({answer} on getMe)",
        "check TELEGRAM_BOT_TOKEN: copy it again from @BotFather (/mybots → API Token)",
    )


def _webhook_refused(url: str | None) -> Callable[[str], StartupError]:
    def refused(answer: str) -> StartupError:
        return StartupError(
            ExitCode.WEBHOOK_REFUSED,
            f"Telegram refused setWebhook for {url} ({answer})",
            "check ESM_WEBHOOK_URL: a public https:// URL on port 443, 80, 88 or 8443 with a "
            "valid certificate",
        )

    return refused


def serve_webhook(app: Any, settings: BotSettings) -> int:
    """Bind the webhook server; return its port."""
    try:
        return int(app.serve_webhook())
    except OSError as exc:
        where = f"{settings.webhook_host}:{settings.webhook_port}"
        if exc.errno == errno.EADDRINUSE:
            raise StartupError(
                ExitCode.PORT_IN_USE,
                f"cannot listen on {where}: the port is in use",
                "stop the other process on that port or choose another ESM_WEBHOOK_PORT",
            ) from exc
        raise StartupError(
            ExitCode.PORT_IN_USE,
            f"cannot listen on {where} ({one_line(exc)})",
            "check ESM_WEBHOOK_HOST and ESM_WEBHOOK_PORT (ports below 1024 need privileges)",
        ) from exc


# the whole start


def start(
    environ: Mapping[str, str],
    settings: BotSettings,
    *,
    webhook: bool,
    wait: Callable[[float], bool],
    make_bot: Callable[[BotSettings], Any] | None = None,
) -> Any:
    """Start the bot for ``run``; return the running :class:`~esm_bot.app.BotApp`.

    Raises:
        StartupError: One line saying what failed and what to do, with the exit code.
        Stopped: ``wait`` reported a stop request during a retry pause.
    """
    backoff = Backoff(settings.start_retries, settings.start_backoff_seconds)
    store: Any = None
    app: Any = None
    try:
        from esm_bot.telegram.app import make_telebot
        from esm_bot.telegram.wiring import build_app

        bot = (make_bot or make_telebot)(settings)
        store = open_store(environ)
        app = build_app(environ, settings=settings, bot=bot, store=store)
        me = call_telegram(
            bot.get_me, settings, backoff, wait, what="getMe", refused=_token_rejected
        )
        log.info("Telegram knows the bot as @%s", getattr(me, "username", "?"))
        if webhook:
            port = serve_webhook(app, settings)
            log.info("webhook server listening on %s:%d", settings.webhook_host, port)
            if settings.webhook_url:
                refused = _webhook_refused(settings.webhook_url)
                call_telegram(
                    app.register_webhook,
                    settings,
                    backoff,
                    wait,
                    what="setWebhook",
                    refused=refused,
                )
        else:
            app.start_polling()
            log.info("polling %s", redact_uri(settings.api_url))
        # Only now the database: while it is retried, updates are already taken, and those that
        # need it are kept in the ledger with a notice to the participant (issue 15). If it
        # stays unreachable, the process ends with its exit code and the kept updates wait for
        # the next start.
        check_database(store, environ, backoff, wait)
    except ImportError as exc:
        _close(app, store)
        problem = missing_extra(exc)
        if problem is None:
            raise
        raise problem from exc
    except BaseException:
        _close(app, store)
        raise
    return app


def _close(app: Any, store: Any) -> None:
    """Release what a failed start had opened, quietly (the one line says what went wrong)."""
    for close in (getattr(app, "shutdown", None), getattr(store, "close", None)):
        if close is not None:
            try:
                close()
            except Exception as exc:
                log.debug("cleaning up after a failed start: %s", type(exc).__name__)
