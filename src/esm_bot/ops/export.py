"""``esm-bot export``: the study as CSV or JSON lines, pseudonymised, with a codebook.

:func:`export_study` writes the rows of :func:`esm_bot.ops.rows.study_rows` to a text stream (the
bot's ``/export`` and the command line use it); :func:`export_to_file` writes a file atomically
(a temporary file renamed into place, so a crash never leaves half an export) and its codebook.
An empty study gives just the CSV header (and nothing for JSON lines).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final, TextIO

from esm_bot.store.base import Store

from .codebook import build_codebook, columns, render_codebook
from .rows import StudyRow, study_rows

__all__ = ["FORMATS", "codebook_path", "export_study", "export_to_file"]

#: Supported export formats.
FORMATS: Final = ("csv", "jsonl")


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return ";".join(str(v) for v in value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".")
    return str(value)


def _row_values(row: StudyRow, names: tuple[str, ...]) -> list[Any]:
    return [getattr(row, name) for name in names]


def export_study(
    store: Store,
    out: TextIO,
    *,
    format: str = "csv",
    since: dt.datetime | None = None,
    raw_ids: bool = False,
    salt: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    """Write the study to ``out`` as ``csv`` or ``jsonl``; return the number of rows written.

    Args:
        store: Where the study lives.
        out: A text stream (open files with ``newline=""`` for CSV).
        format: ``"csv"`` (header first) or ``"jsonl"`` (one JSON object per line).
        since: Only beeps scheduled (practice reports received) at or after this UTC instant.
        raw_ids: Keep internal ids and add ``telegram_id``; by default participants are pseudonyms.
        salt: Pseudonym salt (default: ``ESM_EXPORT_SALT`` from ``environ``, else the stored one).
        environ: Environment to read ``ESM_EXPORT_SALT`` from (default ``os.environ``).

    Raises:
        ValueError: An unknown format.
    """
    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {format!r}")
    names = columns(raw_ids=raw_ids)
    rows = study_rows(
        store,
        since=since,
        raw_ids=raw_ids,
        salt=salt,
        environ=os.environ if environ is None else environ,
    )
    count = 0
    if format == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(names)
        for row in rows:
            writer.writerow([_csv_value(v) for v in _row_values(row, names)])
            count += 1
    else:
        for row in rows:
            record = {
                n: _json_value(v) for n, v in zip(names, _row_values(row, names), strict=True)
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    out.flush()
    return count


def codebook_path(path: Path, format: str) -> Path:
    """Return where the codebook of an export file goes (``FILE.codebook.md`` or ``.json``)."""
    suffix = ".codebook.json" if format == "jsonl" else ".codebook.md"
    return path.with_name(path.name + suffix)


def _write_atomically(path: Path, write: Any) -> Any:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            result = write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return result


def export_to_file(
    store: Store,
    path: Path,
    *,
    format: str = "csv",
    since: dt.datetime | None = None,
    raw_ids: bool = False,
    salt: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> tuple[int, Path]:
    """Write the export to ``path`` and its codebook beside it; return (rows, codebook path)."""
    count: int = _write_atomically(
        path,
        lambda handle: export_study(
            store, handle, format=format, since=since, raw_ids=raw_ids, salt=salt, environ=environ
        ),
    )
    book = codebook_path(path, format)
    text = render_codebook(build_codebook(raw_ids=raw_ids), "json" if format == "jsonl" else "md")
    _write_atomically(book, lambda handle: handle.write(text))
    return count, book
