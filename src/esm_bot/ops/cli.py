"""Registers the operations subcommands on the ``esm-bot`` argument parser.

Each subcommand sets ``func`` (``args.func(args) -> int``, the exit code) with
``set_defaults``; ``esm_bot.cli`` calls it. Errors end in one line on standard error (secrets
removed), never a traceback: exit 2 when the database cannot be reached or an argument is wrong.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from esm_bot.domain.redact import redact

from .stores import NoDatabase, describe_store, open_store_from_env

__all__ = ["REPORT_NEEDS", "add_commands", "silence"]

#: The one line ``esm-bot report`` prints when matplotlib is missing.
REPORT_NEEDS = (
    "the report draws its figures with matplotlib, which is not installed; install the 'report' "
    "extra: pip install -e '.[bot,report]' in a checkout, or pip install 'esm-validate[report]'"
)


def _out(text: str, stream: TextIO | None = None) -> None:
    """Print, replacing what the terminal's encoding cannot show (a cron mail in LANG=C)."""
    target = stream or sys.stdout
    try:
        target.write(text + "\n")
    except UnicodeEncodeError:
        encoding = getattr(target, "encoding", None) or "ascii"
        target.write(text.encode(encoding, "replace").decode(encoding) + "\n")
    target.flush()


def _fail(command: str, message: str, code: int = 2) -> int:
    _out(f"esm-bot {command}: error: {redact(message, os.environ)}", sys.stderr)
    return code


def silence(out: TextIO) -> None:
    """A closed pipe: point ``out``'s descriptor at /dev/null, so closing it later cannot fail."""
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), out.fileno())


def _with_store(command: str, body: Callable[[Any], int], *, reading: bool = True) -> int:
    """Open the store from the environment, run ``body``, close it; errors become one line.

    ``reading`` commands never create a database: a missing SQLite file is an error naming it.
    A closed pipe on standard output ends the command quietly with exit 0.
    """
    from esm_bot.store.errors import StoreError

    try:
        store = open_store_from_env(os.environ, must_exist=reading)
    except NoDatabase as exc:
        return _fail(command, str(exc))
    except StoreError as exc:
        return _fail(command, f"the database cannot be reached: {exc}")
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


# health


def _health(args: argparse.Namespace) -> int:
    from .health import run_health

    report = run_health(
        environ=os.environ,
        live=args.live,
        open_store=lambda: open_store_from_env(os.environ, must_exist=True),
    )
    if args.json:
        _out(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        _out(report.render(verbose=args.verbose))
    return report.exit_code


# migrate


def _migrate(args: argparse.Namespace) -> int:
    from esm_bot.ops.migrations import (
        Progress,
        check_migrations,
        current_schema_version,
        run_migrations,
    )

    def show_progress(p: Progress) -> None:
        _out(
            f"  {p.name}: {p.processed} participants processed "
            f"(updated {p.updated}, skipped {p.skipped}, errors {p.errors})",
            sys.stderr,
        )

    def body(store: Any) -> int:
        if args.check:
            version = current_schema_version(store)
            checks = check_migrations(store)
            if args.json:
                _out(json.dumps({"schema_version": version, "migrations": [
                    {"version": c.version, "name": c.name, "applied": c.applied,
                     "pending_records": c.pending_records, "interrupted_at": c.interrupted_at}
                    for c in checks]}, indent=2))  # fmt: skip
                return 0
            _out(f"Schema version: {version}")
            for c in checks:
                state = "applied" if c.applied else "pending"
                extra = (
                    f"; an earlier run stopped after {c.interrupted_at} participants"
                    if c.interrupted_at is not None
                    else ""
                )
                _out(
                    f"  {c.version} {c.name} [{state}]: {c.pending_records} participants "
                    f"need it ({c.description}){extra}"
                )
            return 0
        summaries = run_migrations(store, dry_run=args.dry_run, progress=show_progress)
        if args.json:
            _out(json.dumps([s.to_dict() for s in summaries], indent=2))
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

    return _with_store("migrate", body, reading=False)


# export


def _export(args: argparse.Namespace) -> int:
    from .codebook import build_codebook, render_codebook
    from .export import export_study, export_to_file
    from .rows import parse_since

    try:
        since = parse_since(args.since) if args.since else None
    except ValueError as exc:
        return _fail("export", str(exc))
    if args.codebook and args.out is None:
        _out(render_codebook(build_codebook(raw_ids=args.raw_ids), "md"))
        return 0

    def body(store: Any) -> int:
        options = {"format": args.format, "since": since, "raw_ids": args.raw_ids}
        if args.out is None:
            export_study(store, sys.stdout, environ=os.environ, **options)
            return 0
        count, book = export_to_file(store, Path(args.out), environ=os.environ, **options)
        _out(
            f"Wrote {count} rows from the {describe_store(os.environ)} to {args.out}; "
            f"codebook: {book}",
            sys.stderr,
        )
        if args.codebook:
            _out(book.read_text(encoding="utf-8"))
        return 0

    return _with_store("export", body)


# backup


def _backup(args: argparse.Namespace) -> int:
    from esm_bot.settings import StoreSettings

    from .backup import backup_sqlite, mongodump_plan

    where = StoreSettings.from_env(os.environ)
    if where.mongodb_uri:
        plan = mongodump_plan(where.mongodb_uri, args.dir, db_name=where.mongodb_db)
        _out(redact(plan.render(), os.environ))
        return 0
    db_path = Path(where.db_path)
    journal = where.journal_file
    try:
        result = backup_sqlite(db_path, args.dir, journal_path=journal)
    except (FileNotFoundError, RuntimeError) as exc:
        return _fail("backup", str(exc))
    except Exception as exc:
        return _fail("backup", f"{type(exc).__name__}: {exc}")
    _out(f"Backed up {db_path} to {result.path} ({result.size_bytes:,} bytes, integrity ok)")
    if result.journal_copy is not None:
        _out(f"Copied the outage journal to {result.journal_copy}")
    _out(f"Restore: stop the bot, copy {result.path} to {db_path} (delete {db_path}-wal and")
    _out(f"{db_path}-shm if present), then run esm-bot migrate and esm-bot health.")
    return 0


# stats


def _stats(args: argparse.Namespace) -> int:
    from .stats import study_stats

    def body(store: Any) -> int:
        stats = study_stats(store)
        if args.json:
            data = {"database": describe_store(os.environ), **stats.to_dict()}
            _out(json.dumps(data, ensure_ascii=False, indent=2))
        else:
            _out(f"Study data: {describe_store(os.environ)}")
            _out(stats.render())
        return 0

    return _with_store("stats", body)


# report


def _report(args: argparse.Namespace) -> int:
    try:  # the figures import it only when they draw: check before reading the study
        import matplotlib  # noqa: F401
    except ImportError:  # matplotlib is the optional 'report' extra
        return _fail("report", REPORT_NEEDS)
    from esm_bot.ops.report import build_report

    def body(store: Any) -> int:
        path = build_report(store, Path(args.out))
        _out(f"Wrote the study report to {path} (from the {describe_store(os.environ)})")
        return 0

    return _with_store("report", body)


def add_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the operations subcommands (health, migrate, export, backup, stats, report)."""
    p = subparsers.add_parser(
        "health",
        help="check database, validators, AI, configuration and performance",
        description="Exit 0 healthy (warnings allowed), 1 degraded, 2 critical.",
    )
    p.add_argument("--json", action="store_true", help="print JSON instead of one line per check")
    p.add_argument("--live", action="store_true", help="make one real call to the AI backend")
    p.add_argument("-v", "--verbose", action="store_true", help="show every detail line")
    p.set_defaults(func=_health)

    p = subparsers.add_parser(
        "migrate",
        help="bring stored participants to the current schema",
        description="Run pending migrations (idempotent, resumable).",
    )
    p.add_argument("--check", action="store_true", help="report what is pending; write nothing")
    p.add_argument("--dry-run", action="store_true", help="walk every record; write nothing")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=_migrate)

    p = subparsers.add_parser(
        "export",
        help="export the study as CSV or JSON lines (pseudonymised)",
        description="One row per scheduled beep (missed ones too) and report attempt.",
    )
    p.add_argument("--format", choices=("csv", "jsonl"), default="csv", help="default csv")
    p.add_argument("--out", metavar="FILE", help="write here (and FILE.codebook.*); else stdout")
    p.add_argument("--since", metavar="DATE", help="only beeps from this UTC date on")
    p.add_argument("--raw-ids", action="store_true", help="keep internal and Telegram ids")
    p.add_argument("--codebook", action="store_true", help="print the codebook")
    p.set_defaults(func=_export)

    p = subparsers.add_parser(
        "backup",
        help="back up the database into DIR",
        description="SQLite: a consistent timestamped copy. MongoDB: the mongodump recipe.",
    )
    p.add_argument("dir", metavar="DIR", help="folder for the backup")
    p.set_defaults(func=_backup)

    p = subparsers.add_parser(
        "stats", help="the study's figures against the original MSE bot's targets"
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=_stats)

    p = subparsers.add_parser("report", help="write a self-contained HTML study report")
    p.add_argument("--out", metavar="DIR", default="esm_report", help="output folder")
    p.set_defaults(func=_report)
