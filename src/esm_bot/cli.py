"""The ``esm-bot`` command: ``run``, ``console`` and the subcommands of :mod:`esm_bot.ops.cli`; a
failure is one redacted line on standard error and an ``ExitCode``."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import traceback
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

import attrs

from esm_bot.domain.env import SettingsError
from esm_bot.domain.redact import guard_output, one_line, secret_values
from esm_bot.ops.cli import add_commands
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
    run.add_argument("--webhook", action="store_true", help="serve a webhook, not long polling")
    run.add_argument("--log-level", default="INFO", help="logging level (default INFO)")
    run.add_argument("--debug", action="store_true", help="the traceback when the bot fails")
    run.set_defaults(func=_cmd_run)
    console = sub.add_parser("console", help="the conversation in this terminal (offline demo)")
    console.add_argument("--db", help="SQLite file (default: ESM_DB_PATH or ./esm_console.sqlite3)")
    console.add_argument("--lang", choices=("ru", "en"), help="start language")
    console.add_argument("--quiet", action="store_true", help="no prompts (for scripts)")
    console.set_defaults(func=_cmd_console)
    add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``esm-bot``; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 2
    debug = bool(getattr(args, "debug", False))
    with guard_output(secret_values(os.environ), debug=debug):
        return _dispatch(args, debug=debug)


def _dispatch(args: argparse.Namespace, *, debug: bool) -> int:
    from esm_bot.telegram.startup import ExitCode, StartupError

    try:
        code: int = args.func(args)
    except StartupError as exc:
        _fail(str(exc), exc, debug=debug)
        return int(exc.code)
    except (SettingsError, ConfigurationError) as exc:  # the bot's settings, the validator's
        _fail(f"configuration: {exc}", exc, debug=debug)
        return int(ExitCode.CONFIGURATION)
    except KeyboardInterrupt:
        return int(ExitCode.INTERRUPTED)
    except Exception as exc:
        hint = "" if debug else " (run with --debug for the traceback)"
        _fail(f"unexpected error: {one_line(exc)}{hint}", exc, debug=debug)
        return int(ExitCode.UNEXPECTED)
    return code


def _fail(line: str, exc: BaseException, *, debug: bool) -> None:
    """Print ``esm-bot: LINE`` (and the traceback with ``--debug``) on standard error."""
    if debug:
        traceback.print_exception(exc, file=sys.stderr)
    print(f"esm-bot: {line}", file=sys.stderr, flush=True)


def _setup_logging(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper() if level.upper() in logging.getLevelNamesMapping() else "INFO")
    try:
        import telebot  # adds its own stderr handler on import: route its records through ours
    except ImportError:  # reported by the start-up as a missing extra
        return
    telebot.logger.handlers.clear()
    telebot.logger.propagate = True


def _cmd_run(args: argparse.Namespace) -> int:
    from esm_bot.settings import BotSettings
    from esm_bot.telegram.startup import Stopped, start

    environ = dict(os.environ)
    settings = BotSettings.from_env(environ)
    if args.webhook and not settings.webhook_secret:
        msg = "--webhook needs ESM_WEBHOOK_SECRET (Telegram sends it with every update)"
        raise SettingsError(msg)
    _setup_logging(args.log_level)
    stop = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("signal %s: shutting down", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        app = start(environ, settings, webhook=args.webhook, wait=stop.wait)
    except Stopped:
        log.info("stopped while starting")
        return 0
    app.start_background()
    stop.wait()
    app.shutdown(grace=3.0)
    return 0


def _cmd_console(args: argparse.Namespace) -> int:
    from esm_bot import i18n
    from esm_bot.settings import BotSettings
    from esm_bot.telegram.app import build_app
    from esm_bot.telegram.console import ConsoleBot, run_console

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
