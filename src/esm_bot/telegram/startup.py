"""Start-up of ``esm-bot run``: each way it can fail becomes one clear line and an
:class:`ExitCode` (docs/operations.md, "Troubleshooting"). What is transient (Telegram or the
database unreachable) is retried with a doubling pause; what waiting will not mend stops at once."""

from __future__ import annotations

import enum
import errno
import functools
import logging
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import attrs
import tenacity

from esm_bot.domain.redact import one_line, redact_uri
from esm_bot.settings import BotSettings
from esm_bot.store import StoreError, StoreUnavailable, store_from_env
from esm_bot.telegram.sender import failure_of

__all__ = ["Backoff", "ExitCode", "StartupError", "Stopped", "missing_extra", "retrying", "start"]

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


class Stopped(Exception):
    """A signal asked the process to stop while it was still starting."""


@attrs.frozen
class Backoff:
    """Start-up retries after the first attempt, the first pause in seconds (each next one
    doubles) and the longest pause."""

    retries: int = 30
    first: float = 1.0
    cap: float = 60.0


def retrying(
    attempt: Callable[[], T],
    *,
    transient: Callable[[BaseException], bool],
    backoff: Backoff,
    wait: Callable[[float], bool],
    what: str,
) -> T:
    """Call ``attempt`` until it succeeds, retrying transient errors after each pause; the last
    error, or one not transient, is raised. ``wait(seconds)`` returns True on a stop request
    (then :class:`Stopped` is raised)."""

    def pause(seconds: float) -> None:
        if wait(seconds):
            raise Stopped

    def warn(state: tenacity.RetryCallState) -> None:
        reason, delay = one_line(failure_of(state), 160), state.upcoming_sleep
        retry = f"retry {state.attempt_number} of {backoff.retries}"
        log.warning("%s failed (%s); retrying in %.3g s (%s)", what, reason, delay, retry)

    return tenacity.Retrying(
        stop=tenacity.stop_after_attempt(backoff.retries + 1),
        wait=tenacity.wait_exponential(multiplier=backoff.first, max=backoff.cap),
        retry=tenacity.retry_if_exception(transient),
        sleep=pause,
        before_sleep=warn,
        reraise=True,
    )(attempt)


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


def _open_store(environ: Mapping[str, str]) -> Any:
    """Open the configured store without touching the database (a bad URI or path fails here)."""
    try:
        return store_from_env(environ)
    except (StoreError, OSError) as exc:
        if environ.get("MONGODB_URI", "").strip():  # building the client does no I/O
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


def _check_database(
    store: Any, environ: Mapping[str, str], backoff: Backoff, wait: Callable[[float], bool]
) -> None:
    """Make one round trip to the database, retried while unreachable."""
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
        raise StartupError(
            ExitCode.DATABASE_UNREACHABLE,
            f"{where} is unreachable after {backoff.retries + 1} attempt(s) ({one_line(exc)})",
            "start the database, or check MONGODB_URI (hosts, port, replicaSet) and the network",
        ) from exc
    except (StoreError, OSError) as exc:
        todo = (
            "check the user name, the password and authSource in MONGODB_URI, and that the user "
            "has readWrite on the database"
            if mongo
            else "set ESM_DB_PATH to a file the bot may write"
        )
        raise StartupError(
            ExitCode.DATABASE_REFUSED, f"{where} refused the bot ({one_line(exc)})", todo
        ) from exc


def _telegram_transient(exc: BaseException) -> bool:
    """Network trouble, a proxy's error page, 429 or a 5xx: waiting may help."""
    import requests
    from telebot import apihelper

    if isinstance(exc, apihelper.ApiTelegramException):
        return bool(exc.error_code == 429 or exc.error_code >= 500)
    return isinstance(exc, apihelper.ApiHTTPException | requests.RequestException | OSError)


def _call_telegram(
    call: Callable[[], T],
    settings: BotSettings,
    backoff: Backoff,
    wait: Callable[[float], bool],
    what: str,
    refused: tuple[ExitCode, str, str],
) -> T:
    """Make one Bot API call at start, retried while Telegram is unreachable; a refusal raises
    ``refused`` (code, what failed with ``{}`` for Telegram's answer, what to do)."""
    from telebot import apihelper

    try:
        return retrying(call, transient=_telegram_transient, backoff=backoff, wait=wait, what=what)
    except Stopped:
        raise
    except Exception as exc:
        answer = one_line(exc)
        if isinstance(exc, apihelper.ApiTelegramException):
            answer = f"{exc.error_code} {exc.description}"
        if not _telegram_transient(exc):
            raise StartupError(refused[0], refused[1].replace("{}", answer), refused[2]) from exc
        raise StartupError(
            ExitCode.TELEGRAM_UNREACHABLE,
            f"cannot reach the Telegram Bot API at {redact_uri(settings.api_url)} after "
            f"{backoff.retries + 1} attempt(s) ({answer})",
            "check the network, a proxy or TELEGRAM_API_URL; ESM_START_RETRIES sets the patience",
        ) from exc


def _serve_webhook(app: Any, settings: BotSettings) -> int:
    try:
        return int(app.serve_webhook())
    except OSError as exc:
        what = f"cannot listen on {settings.webhook_host}:{settings.webhook_port}"
        if exc.errno == errno.EADDRINUSE:
            what += ": the port is in use"
            todo = "stop the other process on that port or choose another ESM_WEBHOOK_PORT"
        else:
            what += f" ({one_line(exc)})"
            todo = "check ESM_WEBHOOK_HOST and ESM_WEBHOOK_PORT (ports below 1024 need privileges)"
        raise StartupError(ExitCode.PORT_IN_USE, what, todo) from exc


def start(
    environ: Mapping[str, str],
    settings: BotSettings,
    *,
    webhook: bool,
    wait: Callable[[float], bool],
) -> Any:
    """Start the bot for ``run`` and return the running :class:`~esm_bot.telegram.app.BotApp`;
    raises :class:`StartupError` (one line and the exit code) or :class:`Stopped`."""
    backoff = Backoff(settings.start_retries, settings.start_backoff_seconds)
    store: Any = None
    app: Any = None
    try:
        from esm_bot.telegram.app import build_app, make_telebot

        bot = make_telebot(settings)
        store = _open_store(environ)
        app = build_app(environ, settings=settings, bot=bot, store=store)
        token = (
            ExitCode.TOKEN_REJECTED,
            "Telegram rejected the bot token ({} on getMe)",
            "check TELEGRAM_BOT_TOKEN: copy it again from @BotFather (/mybots → API Token)",
        )
        me = _call_telegram(bot.get_me, settings, backoff, wait, "getMe", token)
        log.info("Telegram knows the bot as @%s", getattr(me, "username", "?"))
        if webhook:
            port = _serve_webhook(app, settings)
            log.info("webhook server listening on %s:%d", settings.webhook_host, port)
            if url := settings.webhook_url:  # Telegram learns the URL and the secret
                refused = (
                    ExitCode.WEBHOOK_REFUSED,
                    f"Telegram refused setWebhook for {url} ({{}})",
                    "check ESM_WEBHOOK_URL: a public https:// URL on port 443, 80, 88 or 8443 "
                    "with a valid certificate",
                )
                secret = settings.webhook_secret or ""
                register = functools.partial(bot.set_webhook, url=url, secret_token=secret)
                _call_telegram(register, settings, backoff, wait, "setWebhook", refused)
        else:
            app.start_polling()
            log.info("polling %s", redact_uri(settings.api_url))
        # Only now the database: while it is retried, updates are already taken, and those that
        # need it are kept in the ledger with a notice to the participant (issue 15).
        _check_database(store, environ, backoff, wait)
    except BaseException as exc:
        for close in (getattr(app, "shutdown", None), getattr(store, "close", None)):
            try:  # quietly: the one line says what went wrong
                if close is not None:
                    close()
            except Exception as error:
                log.debug("cleaning up after a failed start: %s", type(error).__name__)
        problem = missing_extra(exc) if isinstance(exc, ImportError) else None
        if problem is None:
            raise
        raise problem from exc
    return app
