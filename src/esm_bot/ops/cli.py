"""The operations subcommands of ``esm-bot``; each handler returns the exit code, and an error is
one line on standard error (secrets removed), exit 2, never a traceback."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

import attrs

from esm_bot.domain.redact import redact
from esm_bot.settings import StoreSettings
from esm_bot.store.errors import StoreError

from .stores import NoDatabase, describe_store, open_store_from_env

__all__ = ["REPORT_NEEDS", "add_commands", "silence"]

#: The one line ``esm-bot report`` prints when matplotlib is missing.
REPORT_NEEDS = (
    "the report draws its figures with matplotlib, which is not installed; install the 'report' "
    "extra: pip install -e '.[bot,report]' in a checkout, or pip install 'esm-validate[report]'"
)

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


def _fail(command: str, message: str, code: int = 2) -> int:
    _out(f"esm-bot {command}: error: {redact(message, os.environ)}", sys.stderr)
    return code


def silence(out: TextIO) -> None:
    """A closed pipe: point ``out``'s descriptor at /dev/null, so closing it later cannot fail."""
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), out.fileno())


def _with_store(command: str, body: Callable[[Any], int], *, reading: bool = True) -> int:
    """Open the store (``reading``: never create one), run ``body``, close it; errors become one
    line, a closed pipe on standard output exit 0."""
    try:
        store = open_store_from_env(os.environ, must_exist=reading)
    except StoreError as exc:
        why = str(exc) if isinstance(exc, NoDatabase) else f"the database cannot be reached: {exc}"
        return _fail(command, why)
    except (ValueError, OSError) as exc:
        return _fail(command, str(exc))
    try:
        return body(store)
    except BrokenPipeError:  # `esm-bot export | head`: the reader has all it wanted
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
    from .health import run_health

    report = run_health(
        environ=os.environ,
        live=args.live,
        open_store=lambda: open_store_from_env(os.environ, must_exist=True),
    )
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
    from .migrations import check_migrations, current_schema_version, run_migrations

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
    from .export import build_codebook, export_study, export_to_file, render_codebook
    from .rows import parse_since

    try:
        since = parse_since(args.since) if args.since else None
    except ValueError as exc:
        return _fail("export", str(exc))
    if args.codebook and args.out is None:
        _out(render_codebook(build_codebook(raw_ids=args.raw_ids), "md"))
        return 0
    options = {"format": args.format, "since": since, "raw_ids": args.raw_ids}

    def body(store: Any) -> int:
        if args.out is None:
            export_study(store, sys.stdout, environ=os.environ, **options)
            return 0
        count, book = export_to_file(store, Path(args.out), environ=os.environ, **options)
        where = describe_store(os.environ)
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
    from .backup import backup_sqlite, mongodump_plan

    where = StoreSettings.from_env(os.environ)
    if where.mongodb_uri:
        plan = mongodump_plan(where.mongodb_uri, args.dir, db_name=where.mongodb_db)
        _out(redact(plan.render(), os.environ))
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
    from .stats import study_stats

    def body(store: Any) -> int:
        stats, where = study_stats(store), describe_store(os.environ)
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
    from .report import build_report

    def body(store: Any) -> int:
        path = build_report(store, Path(args.out))
        _out(f"Wrote the study report to {path} (from the {describe_store(os.environ)})")
        return 0

    return _with_store("report", body)


def add_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the operations subcommands (health, migrate, export, backup, stats, report)."""
    for name, help, description, arguments, handler in _COMMANDS:
        parser = subparsers.add_parser(name, help=help, description=description)
        for flags, options in arguments:
            parser.add_argument(*flags, **options)
        parser.set_defaults(func=handler)
