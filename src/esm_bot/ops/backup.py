"""``esm-bot backup DIR``: a checked copy of the embedded database and its journal, or for MongoDB
the ``mongodump`` recipe without the URI's password (docs/operations.md, "Backups and restore")."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shlex
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import attrs

from esm_bot.domain.models import utc_now
from esm_bot.domain.redact import strip_uri_password

__all__ = ["BackupResult", "backup_sqlite", "mongodump_plan", "timestamp"]


def timestamp(now: dt.datetime) -> str:
    """Return the backup name's time stamp (``20260501T093000Z``)."""
    return now.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


@attrs.frozen
class BackupResult:
    """What a SQLite backup wrote."""

    path: Path
    size_bytes: int
    journal_copy: Path | None = None


def backup_sqlite(
    db_path: str | os.PathLike[str],
    dest_dir: str | os.PathLike[str],
    *,
    journal_path: str | os.PathLike[str] | None = None,
    now: Callable[[], dt.datetime] = utc_now,
) -> BackupResult:
    """Copy the SQLite database into ``dest_dir`` (online backup API, integrity-checked, renamed
    into place); FileNotFoundError without a database, RuntimeError when the check fails."""
    source_path = Path(db_path)
    if not source_path.is_file():
        raise FileNotFoundError(f"no SQLite database at {source_path}")
    folder = Path(dest_dir)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = timestamp(now())
    target = folder / f"{source_path.stem}-{stamp}.sqlite3"
    partial = target.with_name(target.name + ".partial")
    with (
        contextlib.closing(sqlite3.connect(source_path)) as source,
        contextlib.closing(sqlite3.connect(partial)) as copy,
    ):
        source.backup(copy)
        verdict = copy.execute("PRAGMA integrity_check").fetchone()[0]
    if verdict != "ok":
        partial.unlink(missing_ok=True)
        raise RuntimeError(f"the copy failed its integrity check: {verdict}")
    os.replace(partial, target)
    journal_copy = None
    if journal_path is not None and Path(journal_path).is_file():
        journal_copy = folder / f"{Path(journal_path).name}-{stamp}"
        shutil.copy2(journal_path, journal_copy)
    return BackupResult(target, target.stat().st_size, journal_copy)


_MONGO_HELP = """\
The study lives in MongoDB; back it up with mongodump (MongoDB Database Tools):

  {dump}

The password is left out of the URI: mongodump asks for it, or put
'password: ...' in a YAML file only you can read and add --config=FILE.
mongodump reads a consistent snapshot per collection; on a replica set add
--oplog for a point-in-time copy of the whole database.

Restore (stop the bot first, then run esm-bot migrate and esm-bot health):

  {restore}"""


def mongodump_plan(
    uri: str,
    dest_dir: str | os.PathLike[str],
    *,
    db_name: str | None = None,
    now: Callable[[], dt.datetime] = utc_now,
) -> str:
    """Return the ``mongodump``/``mongorestore`` recipe ``esm-bot backup`` prints for ``uri``, into
    a timestamped folder."""
    out_dir = Path(dest_dir) / f"esm_bot-{timestamp(now())}"
    safe_uri = strip_uri_password(uri)
    db_args = [f"--db={db_name}"] if db_name else []
    dump = shlex.join(["mongodump", f"--uri={safe_uri}", *db_args, f"--out={out_dir}"])
    restore = shlex.join(["mongorestore", f"--uri={safe_uri}", "--drop", str(out_dir)])
    return _MONGO_HELP.format(dump=dump, restore=restore)
