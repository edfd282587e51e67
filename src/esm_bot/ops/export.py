"""``esm-bot export``: the study's rows as CSV or JSON lines, pseudonymised, with a codebook."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Final, TextIO, TypeVar

from esm_bot.store.base import Store

from .codebook import build_codebook, columns, render_codebook
from .rows import study_rows

__all__ = ["FORMATS", "codebook_path", "export_study", "export_to_file", "write_atomically"]

#: Supported export formats.
FORMATS: Final = ("csv", "jsonl")
T = TypeVar("T")


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return list(value) if isinstance(value, tuple) else value


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return ";".join(str(v) for v in value)
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".")
    return str(_json_value(value))


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
    """Write the study to ``out`` (open files with ``newline=""``) as ``csv`` or ``jsonl``; return
    the number of rows (options: docs/operations.md, "Export"; ValueError: an unknown format)."""
    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {format!r}")
    names = columns(raw_ids=raw_ids)
    env = os.environ if environ is None else environ
    rows = study_rows(store, since=since, raw_ids=raw_ids, salt=salt, environ=env)
    writer = csv.writer(out, lineterminator="\n")
    if format == "csv":
        writer.writerow(names)
    count = 0
    for row in rows:
        count += 1
        if format == "csv":
            writer.writerow([_csv_value(getattr(row, name)) for name in names])
        else:
            record = {name: _json_value(getattr(row, name)) for name in names}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    out.flush()
    return count


def codebook_path(path: Path, format: str) -> Path:
    """Return where the codebook of an export file goes (``FILE.codebook.md`` or ``.json``)."""
    suffix = ".codebook.json" if format == "jsonl" else ".codebook.md"
    return path.with_name(path.name + suffix)


def write_atomically(path: Path, write: Callable[[TextIO], T]) -> T:
    """Write a text file through a temporary file renamed into place (never half a file)."""
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
    store: Store, path: Path, *, format: str = "csv", raw_ids: bool = False, **options: Any
) -> tuple[int, Path]:
    """Write the export to ``path`` and its codebook beside it; return (rows, codebook path).
    ``options`` are :func:`export_study`'s ``since``, ``salt`` and ``environ``."""
    count = write_atomically(
        path,
        lambda out: export_study(store, out, format=format, raw_ids=raw_ids, **options),
    )
    book = codebook_path(path, format)
    text = render_codebook(build_codebook(raw_ids=raw_ids), "json" if format == "jsonl" else "md")
    write_atomically(book, lambda handle: handle.write(text))
    return count, book
