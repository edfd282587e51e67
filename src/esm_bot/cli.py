"""The ``esm-bot`` command: ``run`` (polling or ``--webhook``), ``console``, and the operations
subcommands of :mod:`esm_bot.ops.cli` (health, migrate, export, backup, stats, report).

Configuration errors end in one line on standard error and exit code 2 (no traceback). SIGTERM
and SIGINT stop ``run`` cleanly: no new updates, handlers in flight finish, the metrics snapshot is
logged, exit 0 within 5 seconds.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

import attrs

from esm_validate import ConfigurationError

__all__ = ["build_parser", "main"]

log = logging.getLogger("esm_bot")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="esm-bot", description="Telegram bot for a Descriptive Experience Sampling study."
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    run = sub.add_parser("run", help="run the bot (long polling, or --webhook)")
    run.add_argument(
        "--webhook", action="store_true", help="serve a webhook instead of long polling"
    )
    run.add_argument("--log-level", default="INFO", help="logging level (default INFO)")
    run.set_defaults(func=_cmd_run)
    console = sub.add_parser("console", help="the conversation in this terminal (offline demo)")
    console.add_argument(
        "--db", default=None, help="SQLite file (default: ESM_DB_PATH or ./esm_console.sqlite3)"
    )
    console.add_argument("--lang", choices=("ru", "en"), default=None, help="start language")
    console.add_argument("--quiet", action="store_true", help="no prompts (for scripts)")
    console.set_defaults(func=_cmd_console)
    try:
        from esm_bot.ops.cli import add_commands
    except ImportError:  # pragma: no cover - ops is part of the package
        pass
    else:
        add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``esm-bot``; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 2
    try:
        code: int = args.func(args)
    except ConfigurationError as exc:
        print(f"esm-bot: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return code


def _setup_logging(level: str, secrets: list[str]) -> None:
    from esm_bot.telegram.app import RedactingFilter

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    import telebot  # adds its own stderr handler on import: route its records through ours

    telebot_logger = telebot.logger
    telebot_logger.handlers.clear()
    telebot_logger.propagate = True
    root.setLevel(level.upper() if level.upper() in logging.getLevelNamesMapping() else "INFO")


def _cmd_run(args: argparse.Namespace) -> int:
    from esm_bot.settings import BotSettings
    from esm_bot.telegram.app import make_telebot
    from esm_bot.telegram.wiring import build_app

    environ = dict(os.environ)
    settings = BotSettings.from_env(environ)
    if args.webhook and not settings.webhook_secret:
        msg = "--webhook needs ESM_WEBHOOK_SECRET (Telegram sends it with every update)"
        raise ConfigurationError(msg)
    _setup_logging(args.log_level, [settings.token, settings.webhook_secret or ""])
    app = build_app(environ, settings=settings, bot=make_telebot(settings))
    stop = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("signal %s: shutting down", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    if args.webhook:
        port = app.start_webhook()
        log.info("webhook server listening on %s:%d", settings.webhook_host, port)
    else:
        app.start_polling()
        log.info("polling %s", settings.api_url)
    app.start_background()
    stop.wait()
    app.shutdown(grace=3.0)
    return 0


def _cmd_console(args: argparse.Namespace) -> int:
    from esm_bot import i18n
    from esm_bot.settings import BotSettings
    from esm_bot.telegram.console import ConsoleBot, run_console
    from esm_bot.telegram.wiring import build_app

    environ: dict[str, str] = dict(os.environ)
    environ.pop("MONGODB_URI", None)  # the console is offline: always the embedded store
    db = args.db or environ.get("ESM_DB_PATH") or "esm_console.sqlite3"
    environ["ESM_DB_PATH"] = db
    lang = args.lang or "ru"
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    bot = ConsoleBot(sys.stdout)
    # Nothing goes to Telegram from the console: no send limits to respect.
    settings = attrs.evolve(
        BotSettings.from_env(environ, require_token=False), send_rate=1e6, send_rate_per_chat=1e6
    )
    app = build_app(environ, settings=settings, bot=bot, local_only=True)
    app.handlers.default_lang = lang

    def intro() -> None:
        print(i18n.render("console_intro", lang), file=sys.stdout)
        if not args.quiet:
            print("\nyou> ", end="", flush=True)

    try:
        return run_console(app, bot, sys.stdin, lang=lang, intro=intro, prompt=not args.quiet)
    finally:
        app.shutdown(grace=1.0)
        print("\n" + i18n.render("console_bye", lang, path=str(Path(db).resolve())))
