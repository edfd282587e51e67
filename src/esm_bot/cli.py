"""The ``esm-bot`` command: one table of subcommands, each returning its exit code; a failure is
one line on standard error (no traceback without ``--debug``, no secret: ``guard_output``)."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType
from typing import Any, TextIO

import attrs

from esm_bot.domain.redact import guard_output, one_line, secret_values
from esm_bot.settings import BotSettings, SettingsError, StoreSettings
from esm_bot.store import StoreError, StoreUnavailable, store_from_env
from esm_validate import ConfigurationError

__all__ = ["REPORT_NEEDS", "build_parser", "main"]

log = logging.getLogger("esm_bot")

#: The one line ``esm-bot report`` prints when matplotlib is missing.
REPORT_NEEDS = (
    "the report draws its figures with matplotlib, which is not installed; install the 'report' "
    "extra: pip install -e '.[bot,report]' in a checkout, or pip install 'esm-validate[report]'"
)

#: Where ``esm-bot console`` keeps its conversation unless ``--db`` or ``ESM_DB_PATH`` say else.
_CONSOLE_DB_PATH = "esm_console.sqlite3"

Handler = Callable[[argparse.Namespace], int]
Argument = tuple[tuple[str, ...], dict[str, Any]]
#: (name, help, description, arguments, handler) of every subcommand, in ``--help`` order.
_COMMANDS: list[tuple[str, str, str | None, tuple[Argument, ...], Handler]] = []


def _command(
    name: str, help: str, *arguments: Argument, description: str | None = None
) -> Callable[[Handler], Handler]:
    """Register the decorated handler as the subcommand ``name``."""

    def register(handler: Handler) -> Handler:
        _COMMANDS.append((name, help, description, arguments, handler))
        return handler

    return register


def _switch(*flags: str, help: str = "print JSON") -> Argument:
    return flags, {"action": "store_true", "help": help}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="esm-bot", description="Telegram bot for a Descriptive Experience Sampling study."
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, help, description, arguments, handler in _COMMANDS:
        command = sub.add_parser(name, help=help, description=description)
        for flags, options in arguments:
            command.add_argument(*flags, **options)
        command.set_defaults(func=handler)
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
        return int(args.func(args))
    except KeyboardInterrupt:
        return int(ExitCode.INTERRUPTED)
    except Exception as exc:
        if isinstance(exc, StartupError):
            line, code = str(exc), exc.code
        elif isinstance(exc, SettingsError | ConfigurationError):  # the bot's, the validator's
            line, code = f"configuration: {exc}", ExitCode.CONFIGURATION
        else:
            hint = "" if debug else " (run with --debug for the traceback)"
            line, code = f"unexpected error: {one_line(exc)}{hint}", ExitCode.UNEXPECTED
        if debug:
            traceback.print_exception(exc, file=sys.stderr)
        _out(f"esm-bot: {line}", sys.stderr)
        return int(code)


def _out(text: str, stream: TextIO | None = None) -> None:
    """Print, replacing what the terminal's encoding cannot show (a cron mail in LANG=C)."""
    target = stream or sys.stdout
    try:
        target.write(text + "\n")
    except UnicodeEncodeError:
        encoding = getattr(target, "encoding", None) or "ascii"
        target.write(text.encode(encoding, "replace").decode(encoding) + "\n")
    target.flush()


def _json(data: Any) -> None:
    _out(json.dumps(data, ensure_ascii=False, indent=2))


def _fail(command: str, message: str) -> int:
    _out(f"esm-bot {command}: error: {message}", sys.stderr)
    return 2


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


@_command(
    "run",
    "run the bot (long polling, or --webhook)",
    _switch("--webhook", help="serve a webhook, not long polling"),
    (("--log-level",), {"default": "INFO", "help": "logging level (default INFO)"}),
    _switch("--debug", help="the traceback when the bot fails"),
)
def _run(args: argparse.Namespace) -> int:
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


@_command(
    "console",
    "the conversation in this terminal (offline demo)",
    (("--db",), {"help": "SQLite file (default: ESM_DB_PATH or ./esm_console.sqlite3)"}),
    (("--lang",), {"choices": ("ru", "en"), "help": "start language"}),
    _switch("--quiet", help="no prompts (for scripts)"),
)
def _console(args: argparse.Namespace) -> int:
    from esm_bot import i18n
    from esm_bot.telegram.app import build_app
    from esm_bot.telegram.console import ConsoleBot, run_console

    environ: dict[str, str] = dict(os.environ)
    environ.pop("MONGODB_URI", None)  # the console is offline: always the embedded store
    db = args.db or environ.get("ESM_DB_PATH") or _CONSOLE_DB_PATH
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


class _NoDatabase(StoreUnavailable):
    """A command that only reads found no SQLite file where the environment points."""


def _open_store(*, must_exist: bool) -> Any:
    """The configured store without the outage journal (a migration or an export must fail loudly
    when the database is down); _NoDatabase when ``must_exist`` and there is no SQLite file."""
    where = StoreSettings.from_env(os.environ)
    path = Path(where.db_path)
    if must_exist and not where.mongodb_uri and not path.exists():
        msg = (
            f"no study database at {path.resolve()} (set ESM_DB_PATH to the bot's file; "
            f"esm-bot console keeps its conversation in {_CONSOLE_DB_PATH}: "
            f"ESM_DB_PATH={_CONSOLE_DB_PATH} esm-bot stats)"
        )
        raise _NoDatabase(msg)
    return store_from_env(os.environ, resilient=False)


def _describe_store() -> str:
    """Where the study data is: the SQLite file's absolute path or the MongoDB database's name."""
    where = StoreSettings.from_env(os.environ)
    if not where.mongodb_uri:
        return f"SQLite database {Path(where.db_path).resolve()}"
    name = where.mongodb_db  # never the URI: it may hold a password
    return f"MongoDB database {name}" if name else "MongoDB database named in MONGODB_URI"


def _with_store(command: str, body: Callable[[Any], int], *, reading: bool = True) -> int:
    """Open the store (``reading``: never create one), run ``body``, close it; errors become one
    line, a closed pipe on standard output exit 0."""
    try:
        store = _open_store(must_exist=reading)
    except StoreError as exc:
        why = str(exc) if isinstance(exc, _NoDatabase) else f"the database cannot be reached: {exc}"
        return _fail(command, why)
    except (ValueError, OSError) as exc:
        return _fail(command, str(exc))
    try:
        return body(store)
    except BrokenPipeError:  # `esm-bot export | head`: the reader has all it wanted
        from esm_bot.telegram.console import silence

        silence(sys.stdout)
        return 0
    except StoreError as exc:
        return _fail(command, f"the database cannot be reached: {exc}")
    except OSError as exc:  # an output file or folder that cannot be written
        return _fail(command, f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": "))
    finally:
        with contextlib.suppress(Exception):
            store.close()


@_command(
    "health",
    "check database, validators, AI, configuration and performance",
    _switch("--json", help="print JSON instead of one line per check"),
    _switch("--live", help="make one real call to the AI backend"),
    _switch("-v", "--verbose", help="show every detail line"),
    description="Exit 0 healthy (warnings allowed), 1 degraded, 2 critical.",
)
def _health(args: argparse.Namespace) -> int:
    from esm_bot.ops.health import run_health

    report = run_health(live=args.live, open_store=lambda: _open_store(must_exist=True))
    if args.json:
        _json(report.to_dict())
    else:
        _out(report.render(verbose=args.verbose))
    return report.exit_code


@_command(
    "migrate",
    "bring stored participants to the current schema",
    _switch("--check", help="report what is pending; write nothing"),
    _switch("--dry-run", help="walk every record; write nothing"),
    _switch("--json"),
    description="Run pending migrations (idempotent, resumable).",
)
def _migrate(args: argparse.Namespace) -> int:
    from esm_bot.ops.migrations import check_migrations, current_schema_version, run_migrations

    def show_progress(p: Any) -> None:
        _out(
            f"  {p.name}: {p.total} participants processed "
            f"(updated {p.updated}, skipped {p.skipped}, errors {p.errors})",
            sys.stderr,
        )

    def check(store: Any) -> int:
        version, checks = current_schema_version(store), check_migrations(store)
        if args.json:
            migrations = [
                attrs.asdict(c, filter=attrs.filters.exclude("description")) for c in checks
            ]
            _json({"schema_version": version, "migrations": migrations})
            return 0
        _out(f"Schema version: {version}")
        for c in checks:
            stopped = f"; an earlier run stopped after {c.interrupted_at} participants"
            _out(
                f"  {c.version} {c.name} [{'applied' if c.applied else 'pending'}]: "
                f"{c.pending_records} participants need it ({c.description})"
                + (stopped if c.interrupted_at is not None else "")
            )
        return 0

    def run(store: Any) -> int:
        summaries = run_migrations(store, dry_run=args.dry_run, progress=show_progress)
        if args.json:
            _json([attrs.asdict(s) for s in summaries])
        elif not summaries:
            _out(f"Nothing to migrate: schema version {current_schema_version(store)}.")
        for s in summaries if not args.json else ():
            verb = "would update" if s.dry_run else "updated"
            _out(
                f"{s.version} {s.name}: {s.total} participants, {verb} {s.updated}, "
                f"skipped {s.skipped}, errors {s.errors}"
                + ("" if s.dry_run else f"; schema version {current_schema_version(store)}")
            )
            _out(json.dumps(s.to_original_dict()))
        return 1 if any(s.errors for s in summaries) else 0

    return _with_store("migrate", check if args.check else run, reading=False)


@_command(
    "export",
    "export the study as CSV or JSON lines (pseudonymised)",
    (("--format",), {"choices": ("csv", "jsonl"), "default": "csv", "help": "default csv"}),
    (("--out",), {"metavar": "FILE", "help": "write here (and FILE.codebook.*); else stdout"}),
    (("--since",), {"metavar": "DATE", "help": "only beeps from this UTC date on"}),
    _switch("--raw-ids", help="keep internal and Telegram ids"),
    _switch("--codebook", help="print the codebook"),
    description="One row per scheduled beep (missed ones too) and report attempt.",
)
def _export(args: argparse.Namespace) -> int:
    from esm_bot.ops import export

    try:
        since = export.parse_since(args.since) if args.since else None
    except ValueError as exc:
        return _fail("export", str(exc))
    if args.codebook and args.out is None:
        _out(export.render_codebook(export.build_codebook(raw_ids=args.raw_ids), "md"))
        return 0
    options = {"format": args.format, "since": since, "raw_ids": args.raw_ids}

    def body(store: Any) -> int:
        if args.out is None:
            export.export_study(store, sys.stdout, environ=os.environ, **options)
            return 0
        count, book = export.export_to_file(store, Path(args.out), environ=os.environ, **options)
        where = _describe_store()
        _out(f"Wrote {count} rows from the {where} to {args.out}; codebook: {book}", sys.stderr)
        if args.codebook:
            _out(book.read_text(encoding="utf-8"))
        return 0

    return _with_store("export", body)


@_command(
    "backup",
    "back up the database into DIR",
    (("dir",), {"metavar": "DIR", "help": "folder for the backup"}),
    description="SQLite: a consistent timestamped copy. MongoDB: the mongodump recipe.",
)
def _backup(args: argparse.Namespace) -> int:
    from esm_bot.ops.backup import backup_sqlite, mongodump_plan

    where = StoreSettings.from_env(os.environ)
    if where.mongodb_uri:
        _out(mongodump_plan(where.mongodb_uri, args.dir, db_name=where.mongodb_db))
        return 0
    db = Path(where.db_path)
    try:
        result = backup_sqlite(db, args.dir, journal_path=where.journal_file)
    except Exception as exc:
        known = isinstance(exc, FileNotFoundError | RuntimeError)
        return _fail("backup", str(exc) if known else f"{type(exc).__name__}: {exc}")
    _out(f"Backed up {db} to {result.path} ({result.size_bytes:,} bytes, integrity ok)")
    if result.journal_copy is not None:
        _out(f"Copied the outage journal to {result.journal_copy}")
    _out(f"Restore: stop the bot, copy {result.path} to {db} (delete {db}-wal and")
    _out(f"{db}-shm if present), then run esm-bot migrate and esm-bot health.")
    return 0


@_command("stats", "the study's figures against the original MSE bot's targets", _switch("--json"))
def _stats(args: argparse.Namespace) -> int:
    from esm_bot.ops.stats import study_stats

    def body(store: Any) -> int:
        stats, where = study_stats(store), _describe_store()
        if args.json:
            _json({"database": where, **stats.to_dict()})
        else:
            _out(f"Study data: {where}\n{stats.render()}")
        return 0

    return _with_store("stats", body)


@_command(
    "report",
    "write a self-contained HTML study report",
    (("--out",), {"metavar": "DIR", "default": "esm_report", "help": "output folder"}),
)
def _report(args: argparse.Namespace) -> int:
    try:  # the figures import it only when they draw: check before reading the study
        import matplotlib  # noqa: F401
    except ImportError:  # matplotlib is the optional 'report' extra
        return _fail("report", REPORT_NEEDS)
    from esm_bot.ops.report import build_report

    def body(store: Any) -> int:
        path = build_report(store, Path(args.out))
        _out(f"Wrote the study report to {path} (from the {_describe_store()})")
        return 0

    return _with_store("report", body)
